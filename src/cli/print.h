#pragma once
// Printing helpers the verbs share: how lists, dates and numbers look in the terminal.
// Tables themselves are cli/table.h.

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/error.h"

namespace qiusuo::cli {

using json = nlohmann::json;

// The array's items joined by `sep`; strings as they are, anything else as JSON.
std::string Join(const json& array, const char* sep = ", ");
std::vector<std::string> SplitComma(const std::string& s);
// One decimal: 2.5.
std::string Fixed1(double v);
// An RFC 3339 time's date, 2026-12-31; "" for null.
std::string Date(const json& t);
// An RFC 3339 time's month, day and minute, 12-31T18:00; "-" for null.
std::string Ago(const json& t);
// A project's tasks as a table, or "No tasks.".
void PrintTasks(const json& tasks);
// `text` to the file at `path`, or to stdout for "" or "-".
Status WriteOut(const std::string& path, const std::string& text);

}  // namespace qiusuo::cli
