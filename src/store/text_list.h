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

// Arbitrary strings (command lines may hold newlines), each as "<length>:<bytes>".
inline std::string EncodeStrings(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += std::to_string(item.size()) + ":" + item;
  return out;
}

inline std::vector<std::string> DecodeStrings(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) break;
    std::size_t len = 0;
    for (char c : text.substr(0, colon)) len = len * 10 + static_cast<std::size_t>(c - '0');
    if (colon + 1 + len > text.size()) break;
    out.emplace_back(text.substr(colon + 1, len));
    text.remove_prefix(colon + 1 + len);
  }
  return out;
}

}  // namespace qiusuo
