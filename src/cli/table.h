#pragma once
// Human-readable tables for the terminal, aligned by display width (CJK counts 2).

#include <iosfwd>
#include <string>
#include <vector>

namespace qiusuo::cli {

std::size_t DisplayWidth(const std::string& utf8);
// Cuts to at most `width` columns, ending in "…" when cut.
std::string Truncate(const std::string& utf8, std::size_t width);
void PrintTable(std::ostream& out, const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::size_t max_cell = 48);

}  // namespace qiusuo::cli
