#pragma once
// What the CLI reads from the person at the terminal or from files.

#include <string>

#include "common/error.h"

namespace qiusuo::cli {

// The whole file; "-" is stdin.
Result<std::string> ReadFile(const std::string& path);
// A password from stdin (`from_stdin`, or stdin is not a terminal), else typed at the
// terminal without echo after `prompt`.
Result<std::string> ReadPassword(bool from_stdin, const std::string& prompt);
// One line typed after `prompt` (on stderr).
std::string Ask(const std::string& prompt);

}  // namespace qiusuo::cli
