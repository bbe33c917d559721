#include "sched/policy.h"

#include <gtest/gtest.h>

namespace qiusuo::sched {
namespace {

Job MakeJob(std::int64_t id, std::int64_t project, int gpus, Time submit) {
  Job j;
  j.id = id;
  j.owner = project;
  j.project = project;
  j.gpus = gpus;
  j.submit = submit;
  j.queued = submit;
  j.time_limit = 3600;
  return j;
}

RunningJob Running(const Job& job, int node, Time started) {
  return {job, Placement{{{node, job.gpus}}}, started, false};
}

class PolicyTest : public ::testing::Test {
 protected:
  Decisions Plan(const std::string& policy, Time now) {
    auto p = MakePolicy(policy, config_);
    EXPECT_TRUE(p) << policy;
    return p->Plan({cluster_, running_, pending_, projects_, usage_, now});
  }

  Cluster cluster_ = Cluster::Uniform(8, 8);
  PolicyConfig config_;
  std::vector<RunningJob> running_;
  std::vector<Job> pending_;
  ProjectTable projects_;
  UsageTable usage_;
};

TEST_F(PolicyTest, AnyJobMayTakeTheWholeIdleCluster) {
  pending_ = {MakeJob(1, 1, 8, 0)};
  for (const auto& name : PolicyNames()) {
    auto d = Plan(name, 0);
    ASSERT_EQ(d.starts.size(), 1u) << name;
    EXPECT_EQ(d.starts[0].placement.Gpus(), 8) << name;
  }
}

TEST_F(PolicyTest, QuotaCapsWhatUncappedLends) {
  projects_ = {{1, {}}, {2, {}}};
  running_ = {Running(MakeJob(1, 1, 4, 0), 0, 0)};
  pending_ = {MakeJob(2, 1, 4, 10)};
  EXPECT_EQ(Plan("uncapped", 20).starts.size(), 1u);
  EXPECT_EQ(Plan("borrow", 20).starts.size(), 1u);
  auto quota = Plan("quota", 20);
  EXPECT_TRUE(quota.starts.empty());
}

TEST_F(PolicyTest, BorrowersArePreemptedOnlyAfterTheMinimumRuntime) {
  running_ = {Running(MakeJob(1, 1, 8, 0), 0, 0)};
  pending_ = {MakeJob(2, 2, 4, 100)};
  config_.explain = true;
  auto early = Plan("uncapped", 100);
  EXPECT_TRUE(early.preempts.empty());
  EXPECT_EQ(early.wake_at, config_.min_runtime);
  EXPECT_EQ(early.reasons[2],
            "within its project's share: borrowers become preemptible in 9 min (their minimum "
            "runtime)");
  auto later = Plan("uncapped", config_.min_runtime);
  ASSERT_EQ(later.preempts.size(), 1u);
  EXPECT_EQ(later.preempts[0], 1);
  EXPECT_NE(later.reasons[2].find("preempting"), std::string::npos);
  EXPECT_DOUBLE_EQ(later.shares[1].entitlement, 4);
  EXPECT_DOUBLE_EQ(later.shares[2].entitlement, 4);
}

TEST_F(PolicyTest, AJobWithinItsShareIsNeverPreempted) {
  // Project 1 runs 4 GPUs (its share); project 2 borrows nothing and waits for 8.
  cluster_ = Cluster::Uniform(8, 8);
  running_ = {Running(MakeJob(1, 1, 4, 0), 0, 0)};
  pending_ = {MakeJob(2, 2, 8, 10), MakeJob(3, 1, 4, 20)};
  auto d = Plan("uncapped", 10'000);
  EXPECT_TRUE(d.preempts.empty());
}

// Project 2 asks for the whole cluster, twice its share; project 1 borrows all of it
// with a job that has no time limit, so the reservation would wait for ever. Once the
// gang has waited starvation_wait it preempts the borrower; the preempted job then
// waits its turn, and the two alternate rather than one starving.
TEST_F(PolicyTest, AGangLargerThanItsShareIsNotStarvedByAnEndlessBorrower) {
  Job borrower = MakeJob(1, 1, 8, 0);
  borrower.time_limit.reset();
  running_ = {Running(borrower, 0, 0)};
  pending_ = {MakeJob(2, 2, 8, 100)};
  config_.explain = true;
  auto waiting = Plan("uncapped", 1000);
  EXPECT_TRUE(waiting.preempts.empty());
  EXPECT_EQ(waiting.reserved, 2);
  EXPECT_EQ(waiting.wake_at, 100 + config_.starvation_wait) << "plans again when it starves";
  auto starved = Plan("uncapped", 100 + config_.starvation_wait);
  ASSERT_EQ(starved.preempts.size(), 1u);
  EXPECT_EQ(starved.preempts[0], 1);
  EXPECT_EQ(starved.reasons[2], "next in line and waited 1 h: preempting 1 borrowing job(s)");
}

TEST_F(PolicyTest, TheSmallestSetOfTheNewestBorrowersIsPreempted) {
  cluster_ = Cluster::Uniform(16, 8);
  running_ = {Running(MakeJob(1, 1, 8, 0), 0, 0), Running(MakeJob(2, 1, 4, 0), 1, 100),
              Running(MakeJob(3, 1, 4, 0), 1, 200)};
  pending_ = {MakeJob(4, 2, 4, 1000)};
  auto d = Plan("uncapped", 5000);
  ASSERT_EQ(d.preempts.size(), 1u);
  EXPECT_EQ(d.preempts[0], 3);  // the newest; one job frees enough
}

TEST_F(PolicyTest, BackfillDoesNotDelayTheReservedHead) {
  cluster_ = Cluster::Uniform(8, 8);
  Job a = MakeJob(1, 1, 6, 0);
  a.time_limit = 1000;
  running_ = {Running(a, 0, 0)};
  Job big = MakeJob(2, 1, 8, 10);
  Job short_job = MakeJob(3, 1, 2, 20);
  short_job.time_limit = 500;  // ends before the head could start: backfills
  Job long_job = MakeJob(4, 1, 2, 30);
  long_job.time_limit = 5000;  // would delay the head: waits
  pending_ = {big, short_job, long_job};
  auto d = Plan("fifo", 100);
  EXPECT_EQ(d.reserved, 2);
  ASSERT_EQ(d.starts.size(), 1u);
  EXPECT_EQ(d.starts[0].job, 3);
}

TEST_F(PolicyTest, BoostsAndPeopleRaiseTheShare) {
  projects_[1] = {3, 0, {}};
  projects_[2] = {1, 0, {{3.0, 1000, "promising result"}}};
  pending_ = {MakeJob(1, 1, 8, 0), MakeJob(2, 2, 8, 0)};
  auto d = Plan("uncapped", 10);
  EXPECT_DOUBLE_EQ(d.shares[1].weight, 3);
  EXPECT_DOUBLE_EQ(d.shares[2].weight, 3);
  EXPECT_DOUBLE_EQ(d.shares[1].entitlement, 4);
  auto expired = Plan("uncapped", 2000);
  EXPECT_DOUBLE_EQ(expired.shares[1].entitlement, 6);
  EXPECT_DOUBLE_EQ(expired.shares[2].entitlement, 2);
}

TEST_F(PolicyTest, RecentHeavyUsersYieldWithoutAnyCap) {
  cluster_ = Cluster::Uniform(8, 8);
  running_ = {Running(MakeJob(9, 3, 8, 0), 0, 0)};  // cluster busy
  pending_ = {MakeJob(1, 1, 8, 0), MakeJob(2, 2, 8, 50)};
  usage_.project[1] = 1e6;  // project 1 used a lot recently
  config_.explain = true;
  auto d = Plan("uncapped", 100);
  EXPECT_EQ(d.reserved, 2);  // project 2 goes first although it came later
}

TEST_F(PolicyTest, UnknownPolicyIsNull) { EXPECT_EQ(MakePolicy("lottery", config_), nullptr); }

}  // namespace
}  // namespace qiusuo::sched
