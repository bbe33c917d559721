#include "sched/fair_share.h"

#include <gtest/gtest.h>

namespace qiusuo::sched {
namespace {

TEST(FairShare, WeightGrowsWithPeopleAndLiveBoosts) {
  WeightConfig config;
  EXPECT_DOUBLE_EQ(ProjectWeight({1, 0, {}}, config, 0), 1.0);
  EXPECT_DOUBLE_EQ(ProjectWeight({3, 2, {}}, config, 0), 4.0);
  EXPECT_DOUBLE_EQ(ProjectWeight({0, 0, {}}, config, 0), 1.0);  // never zero
  const ProjectInfo boosted{2, 0, {{2.0, 100, "promising"}}};
  EXPECT_DOUBLE_EQ(ProjectWeight(boosted, config, 50), 4.0);
  EXPECT_DOUBLE_EQ(ProjectWeight(boosted, config, 100), 2.0);  // expired
}

TEST(FairShare, WaterFillingGivesSmallDemandsInFullAndSharesTheRest) {
  const Claim claims[] = {{1, 1, 2}, {2, 1, 100}, {3, 2, 100}};
  auto e = WaterFill(32, claims);
  EXPECT_DOUBLE_EQ(e[1], 2);
  EXPECT_DOUBLE_EQ(e[2], 10);  // (32 - 2) * 1/3
  EXPECT_DOUBLE_EQ(e[3], 20);  // (32 - 2) * 2/3
}

TEST(FairShare, WaterFillingNeverExceedsDemandOrCapacity) {
  const Claim claims[] = {{1, 1, 3}, {2, 5, 4}, {3, 1, 0}};
  auto e = WaterFill(100, claims);
  EXPECT_DOUBLE_EQ(e[1], 3);
  EXPECT_DOUBLE_EQ(e[2], 4);
  EXPECT_FALSE(e.contains(3));
}

TEST(FairShare, UsageHalvesEachHalfLife) {
  UsageTable usage;
  usage.project[1] = 1000;
  usage.member[7] = 10;
  AdvanceUsage(usage, {}, 0, 7 * 86400, 7 * 86400);
  EXPECT_NEAR(usage.project[1], 500, 1e-9);
  EXPECT_NEAR(usage.member[7], 5, 1e-9);
  RunningJob r;
  r.job.project = 2;
  r.job.owner = 9;
  r.placement.parts = {{0, 4}};
  const RunningJob running[] = {r};
  AdvanceUsage(usage, running, 0, 100, 7 * 86400);
  EXPECT_NEAR(usage.project[2], 400, 0.1);
  EXPECT_NEAR(usage.member[9], 400, 0.1);
}

}  // namespace
}  // namespace qiusuo::sched
