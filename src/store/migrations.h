#pragma once
// Versioned schema migrations, compiled in from store/migrations/<dialect>/NNNN_name.sql.

#include <string_view>
#include <vector>

#include "common/error.h"

namespace qiusuo {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

// In ascending version order; fails if a file name is not NNNN_name.sql or versions
// are not 1, 2, 3, ... without gaps.
Result<std::vector<Migration>> SqliteMigrations();

}  // namespace qiusuo
