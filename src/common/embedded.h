#pragma once
// Files compiled into the binary (SQL migrations, the OpenAPI document), generated
// at configure time by cmake/Embed.cmake.

#include <span>
#include <string_view>

namespace qiusuo {

struct EmbeddedFile {
  std::string_view name;  // file name without directories, e.g. "0001_init.sql"
  std::string_view content;
};

}  // namespace qiusuo
