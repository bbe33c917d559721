#pragma once
// Short lists (emails, skills, open roles) are kept as newline-separated text, a
// form both SQLite and PostgreSQL store as is. core/validate.h keeps newlines out of items.

#include <string>
#include <string_view>
#include <vector>

namespace qiusuo {

inline std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) out += '\n';
    out += items[i];
  }
  return out;
}

inline std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    out.emplace_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

}  // namespace qiusuo
