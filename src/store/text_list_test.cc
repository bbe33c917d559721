#include "store/text_list.h"

#include <gtest/gtest.h>

namespace qiusuo {
namespace {

TEST(TextList, RoundTrips) {
  const std::vector<std::string> items = {"CUDA kernels", "data cleaning", "数据"};
  EXPECT_EQ(SplitList(JoinList(items)), items);
  EXPECT_TRUE(SplitList("").empty());
  EXPECT_EQ(JoinList({}), "");
  EXPECT_EQ(SplitList("a\n\nb"), (std::vector<std::string>{"a", "", "b"}));
}

}  // namespace
}  // namespace qiusuo
