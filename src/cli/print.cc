#include "cli/print.h"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/table.h"

namespace qiusuo::cli {

std::string Join(const json& array, const char* sep) {
  std::string out;
  for (const auto& item : array) {
    if (!out.empty()) out += sep;
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

std::string Fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Date(const json& t) { return t.is_string() ? t.get<std::string>().substr(0, 10) : ""; }

std::string Ago(const json& t) { return t.is_string() ? t.get<std::string>().substr(5, 11) : "-"; }

void PrintTasks(const json& tasks) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : tasks["items"]) {
    rows.push_back({std::to_string(t["id"].get<std::int64_t>()), t["state"],
                    t["holder"].is_null() ? "-" : "@" + t["holder"].get<std::string>(),
                    t["title"]});
  }
  if (rows.empty()) {
    std::cout << "No tasks.\n";
    return;
  }
  PrintTable(std::cout, {"ID", "STATE", "HOLDER", "TITLE"}, rows, 60);
}

Status WriteOut(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return {};
  }
  std::ofstream f(path, std::ios::trunc);
  f << text;
  if (!f) return Fail(ErrorCode::kUnavailable, "cannot write " + path);
  return {};
}

}  // namespace qiusuo::cli
