#include "cli/table.h"

#include <algorithm>
#include <ostream>

namespace qiusuo::cli {
namespace {

// Decodes one code point at s[i], advancing i; invalid bytes count as one column.
char32_t Next(const std::string& s, std::size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  int extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 0;
  char32_t cp = extra == 0 ? c : c & (0x3F >> extra);
  ++i;
  for (int k = 0; k < extra && i < s.size(); ++k, ++i) cp = (cp << 6) | (s[i] & 0x3F);
  return cp;
}

std::size_t CodePointWidth(char32_t cp) {
  const bool wide = (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0xA4CF) ||
                    (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
                    (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
                    (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1FAFF) ||
                    (cp >= 0x20000 && cp <= 0x3FFFD);
  return wide ? 2 : 1;
}

}  // namespace

std::size_t DisplayWidth(const std::string& s) {
  std::size_t width = 0;
  for (std::size_t i = 0; i < s.size();) width += CodePointWidth(Next(s, i));
  return width;
}

std::string Truncate(const std::string& s, std::size_t width) {
  if (DisplayWidth(s) <= width) return s;
  std::size_t used = 0, i = 0, cut = 0;
  while (i < s.size()) {
    std::size_t start = i;
    const std::size_t w = CodePointWidth(Next(s, i));
    if (used + w > width - 1) break;
    used += w;
    cut = i;
    (void)start;
  }
  return s.substr(0, cut) + "…";
}

void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::size_t max_cell) {
  std::vector<std::size_t> widths(header.size(), 0);
  auto clean = [&](std::string cell) {
    std::replace(cell.begin(), cell.end(), '\n', ' ');
    return Truncate(cell, max_cell);
  };
  for (std::size_t c = 0; c < header.size(); ++c) widths[c] = DisplayWidth(header[c]);
  for (const auto& row : rows) {
    for (std::size_t c = 0; c < row.size() && c < widths.size(); ++c) {
      widths[c] = std::max(widths[c], DisplayWidth(clean(row[c])));
    }
  }
  auto print_row = [&](const std::vector<std::string>& row, bool is_header) {
    for (std::size_t c = 0; c < header.size(); ++c) {
      const std::string cell = c < row.size() ? (is_header ? row[c] : clean(row[c])) : "";
      out << cell;
      if (c + 1 < header.size()) out << std::string(widths[c] - DisplayWidth(cell) + 2, ' ');
    }
    out << '\n';
  };
  print_row(header, true);
  for (const auto& row : rows) print_row(row, false);
}

}  // namespace qiusuo::cli
