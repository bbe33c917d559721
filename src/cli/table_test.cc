#include "cli/table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace qiusuo::cli {
namespace {

TEST(Table, WidthCountsCjkAsTwoColumns) {
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("求索"), 4u);
  EXPECT_EQ(DisplayWidth("a求"), 3u);
}

TEST(Table, TruncatesOnCodePointBoundaries) {
  EXPECT_EQ(Truncate("abcdef", 4), "abc…");
  EXPECT_EQ(Truncate("求索求索", 5), "求索…");
  EXPECT_EQ(Truncate("short", 10), "short");
}

TEST(Table, AlignsColumns) {
  std::ostringstream out;
  PrintTable(out, {"ID", "TITLE"}, {{"1", "求索"}, {"22", "x"}});
  EXPECT_EQ(out.str(), "ID  TITLE\n1   求索\n22  x\n");
}

}  // namespace
}  // namespace qiusuo::cli
