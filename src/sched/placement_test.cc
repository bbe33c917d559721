#include "sched/placement.h"

#include <gtest/gtest.h>

namespace qiusuo::sched {
namespace {

TEST(Placement, SmallJobsGoBestFitOnOneNode) {
  const Cluster c = Cluster::Uniform(16, 8);
  FreeMap free(c);
  auto a = free.Find(3);
  ASSERT_TRUE(a);
  free.Take(*a);
  // The next 4-GPU job joins the partly used node rather than opening a fresh one.
  auto b = free.Find(4);
  ASSERT_TRUE(b);
  ASSERT_EQ(b->parts.size(), 1u);
  EXPECT_EQ(b->parts[0].first, a->parts[0].first);
  free.Take(*b);
  EXPECT_EQ(free.free_gpus(), 9);
}

TEST(Placement, AJobThatFitsOneNodeIsNeverSplit) {
  const Cluster c = Cluster::Uniform(16, 8);
  FreeMap free(c);
  free.Take(*free.Find(6));
  free.Take(*free.Find(6));
  EXPECT_EQ(free.free_gpus(), 4);
  EXPECT_FALSE(free.Find(3));  // 2 + 2 free on two nodes: waiting beats splitting
  EXPECT_TRUE(free.Find(2));
}

TEST(Placement, LargeGangsTakeWholeNodes) {
  const Cluster c = Cluster::Uniform(32, 8);
  FreeMap free(c);
  free.Take(*free.Find(2));
  auto big = free.Find(16);
  ASSERT_TRUE(big);
  EXPECT_EQ(big->Gpus(), 16);
  ASSERT_EQ(big->parts.size(), 2u);
  for (const auto& [node, gpus] : big->parts) {
    EXPECT_EQ(gpus, 8);
    EXPECT_EQ(free.FreeOn(node), 8);
  }
  free.Take(*big);
  EXPECT_EQ(free.free_gpus(), 14);
  EXPECT_FALSE(free.Find(15));
  auto odd = free.Find(12);  // one whole node + 4 on the partly used one
  ASSERT_TRUE(odd);
  EXPECT_EQ(odd->Gpus(), 12);
}

TEST(Placement, GiveUndoesTake) {
  const Cluster c = Cluster::Uniform(24, 8);
  FreeMap free(c);
  auto p = free.Find(20);
  ASSERT_TRUE(p);
  free.Take(*p);
  EXPECT_EQ(free.free_gpus(), 4);
  free.Give(*p);
  EXPECT_EQ(free.free_gpus(), 24);
  EXPECT_TRUE(free.Find(24));
  EXPECT_FALSE(free.Find(25));
  EXPECT_FALSE(free.Find(0));
}

}  // namespace
}  // namespace qiusuo::sched
