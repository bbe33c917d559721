#include "sched/simulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

#include "sched/metrics.h"

namespace qiusuo::sched {
namespace {

SimConfig SmallConfig(int gpus, int per_node) {
  SimConfig c;
  c.cluster = Cluster::Uniform(gpus, per_node);
  c.timeline_bins = 10;
  return c;
}

TraceJob T(std::int64_t id, std::int64_t project, int gpus, Time submit, Time duration) {
  return {id, "j" + std::to_string(id), project, gpus, submit, duration};
}

// The hand-checked case behind the anti-thrash proof (see the comments for the arithmetic).
TEST(Simulator, GoldenSmallTrace) {
  const std::vector<TraceJob> jobs = {T(0, 0, 8, 0, 3600), T(1, 1, 4, 100, 1000)};
  const SimConfig config = SmallConfig(8, 8);
  // FIFO: j0 runs 0..3600, j1 3600..4600.
  auto fifo = Simulate(jobs, 2, config, *MakePolicy("fifo", config.policy));
  EXPECT_EQ(fifo.jobs[0].finish, 3600);
  EXPECT_EQ(fifo.jobs[1].finish, 4600);
  EXPECT_EQ(fifo.preemptions, 0);
  // Uncapped: j0 borrows the idle cluster. j1 (within its 4-GPU share) arrives at 100;
  // j0 is preempted at its minimum runtime (600) and leaves after the 30 s grace; j1
  // runs 630..1630; j0 lost 600 s of progress (no checkpoint yet) and restarts at
  // 1630 with a 60 s restart delay: 1630 + 60 + 3600 = 5290.
  auto uncapped = Simulate(jobs, 2, config, *MakePolicy("uncapped", config.policy));
  EXPECT_EQ(uncapped.jobs[1].first_start, 630);
  EXPECT_EQ(uncapped.jobs[1].finish, 1630);
  EXPECT_EQ(uncapped.jobs[0].finish, 5290);
  EXPECT_EQ(uncapped.preemptions, 1);
  EXPECT_DOUBLE_EQ(uncapped.lost_gpu_seconds, (600 + 30) * 8);
}

// Two projects cannot preempt each other back and forth: after a preemption the
// victim's project is no longer under its share, so its requeued job cannot take
// the GPUs back; and the preemptor's job runs within its share, so it is not a
// victim. Replayed over a long contended stretch, preemptions stay bounded by the
// number of arrivals into an under-share project.
TEST(Simulator, NoPreemptionPingPong) {
  std::vector<TraceJob> jobs;
  for (int k = 0; k < 40; ++k) {
    jobs.push_back(T(2 * k, 0, 8, k * 7200, 5000));
    jobs.push_back(T(2 * k + 1, 1, 8, k * 7200 + 60, 5000));
  }
  std::sort(jobs.begin(), jobs.end(), [](auto& a, auto& b) { return a.submit < b.submit; });
  for (std::size_t i = 0; i < jobs.size(); ++i) jobs[i].id = static_cast<std::int64_t>(i);
  SimConfig config = SmallConfig(8, 8);
  auto r = Simulate(jobs, 2, config, *MakePolicy("uncapped", config.policy));
  ASSERT_FALSE(r.stalled);
  for (const auto& o : r.jobs) EXPECT_LE(o.preemptions, 1) << "job " << o.id;
  EXPECT_LE(r.preemptions, static_cast<int>(jobs.size()) / 2);
}

// Wraps a policy and checks every decision against the input it was given.
class CheckedPolicy final : public Policy {
 public:
  CheckedPolicy(std::unique_ptr<Policy> inner, const PolicyConfig& config)
      : inner_(std::move(inner)), config_(config) {}
  std::string_view name() const override { return inner_->name(); }

  Decisions Plan(const SchedInput& in) const override {
    Decisions d = inner_->Plan(in);
    // Never more GPUs than exist, gangs all or nothing, on real nodes.
    std::vector<int> used(in.cluster.nodes.size(), 0);
    for (const auto& r : in.running) {
      for (auto [node, gpus] : r.placement.parts) used[node] += gpus;
    }
    std::map<std::int64_t, const Job*> pending;
    for (const auto& j : in.pending) pending[j.id] = &j;
    for (const auto& s : d.starts) {
      auto it = pending.find(s.job);
      EXPECT_NE(it, pending.end()) << "started a job that is not pending";
      if (it == pending.end()) continue;
      EXPECT_EQ(s.placement.Gpus(), it->second->gpus) << "gang split or partial";
      for (auto [node, gpus] : s.placement.parts) {
        EXPECT_GT(gpus, 0);
        used[node] += gpus;
      }
    }
    for (std::size_t node = 0; node < used.size(); ++node) {
      EXPECT_LE(used[node], in.cluster.nodes[node].gpus) << "node " << node << " oversubscribed";
    }
    // Preemption: never under the minimum runtime; for fair-share policies never a job
    // within its project's share.
    std::map<std::int64_t, const RunningJob*> running;
    for (const auto& r : in.running) running[r.job.id] = &r;
    for (std::int64_t id : d.preempts) {
      const RunningJob* r = running.at(id);
      EXPECT_FALSE(r->releasing);
      EXPECT_GE(in.now - r->started, config_.min_runtime) << name();
      if (name() == "uncapped" || name() == "borrow") {
        std::vector<const RunningJob*> same;
        for (const auto& o : in.running) {
          if (o.job.project == r->job.project && !o.releasing) same.push_back(&o);
        }
        std::sort(same.begin(), same.end(), [](auto* a, auto* b) {
          return a->started != b->started ? a->started < b->started : a->job.id < b->job.id;
        });
        int cumulative = 0;
        for (auto* o : same) {
          cumulative += o->placement.Gpus();
          if (o == r) break;
        }
        EXPECT_GT(cumulative, d.shares.at(r->job.project).entitlement + 1e-9)
            << name() << " preempted a job within its project's share";
      }
    }
    ++cycles_;
    return d;
  }
  mutable int cycles_ = 0;

 private:
  std::unique_ptr<Policy> inner_;
  PolicyConfig config_;
};

std::vector<TraceJob> RandomWorkload(std::uint64_t seed, int count) {
  std::mt19937_64 rng(seed);
  std::vector<TraceJob> jobs;
  Time t = 0;
  const int sizes[] = {1, 1, 1, 2, 4, 8, 16};
  for (int i = 0; i < count; ++i) {
    t += static_cast<Time>(rng() % 900);
    jobs.push_back(T(i, static_cast<std::int64_t>(rng() % 4), sizes[rng() % 7], t,
                     600 + static_cast<Time>(rng() % 20000)));
  }
  return jobs;
}

class EveryPolicy : public ::testing::TestWithParam<std::string> {};

TEST_P(EveryPolicy, PropertiesHoldOnRandomWorkloads) {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const auto jobs = RandomWorkload(seed, 150);
    SimConfig config = SmallConfig(24, 8);
    CheckedPolicy policy(MakePolicy(GetParam(), config.policy), config.policy);
    auto r = Simulate(jobs, 4, config, policy);
    ASSERT_FALSE(r.stalled) << "seed " << seed;
    for (const auto& o : r.jobs) {
      ASSERT_GE(o.first_start, o.submit) << "job " << o.id << " never started, seed " << seed;
      ASSERT_GE(o.finish, o.first_start + o.duration) << "job " << o.id;
    }
    EXPECT_GT(policy.cycles_, 0);
    // Deterministic: the same inputs give the same outcome.
    auto again = Simulate(jobs, 4, config, *MakePolicy(GetParam(), config.policy));
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      ASSERT_EQ(again.jobs[i].finish, r.jobs[i].finish) << "seed " << seed << " job " << i;
      ASSERT_EQ(again.jobs[i].preemptions, r.jobs[i].preemptions);
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Policies, EveryPolicy, ::testing::ValuesIn(PolicyNames()),
                         [](const auto& info) {
                           std::string n = info.param;
                           std::replace(n.begin(), n.end(), '-', '_');
                           return n;
                         });

TEST(Metrics, SummarizeComputesPercentilesUtilizationAndFairness) {
  const std::vector<TraceJob> jobs = {T(0, 0, 8, 0, 3600), T(1, 1, 4, 100, 1000)};
  const SimConfig config = SmallConfig(8, 8);
  auto fifo = Simulate(jobs, 2, config, *MakePolicy("fifo", config.policy));
  auto isolated = IsolatedMeanJct(jobs, 2, config);
  // Alone on max(8/2, largest job) GPUs: project 0's job runs at once (3600 s),
  // project 1's as well (1000 s).
  EXPECT_DOUBLE_EQ(isolated[0], 3600);
  EXPECT_DOUBLE_EQ(isolated[1], 1000);
  auto s = Summarize(fifo, 8, isolated);
  EXPECT_EQ(s.jobs, 2);
  EXPECT_DOUBLE_EQ(s.avg_jct_s, (3600 + 4500) / 2.0);
  EXPECT_DOUBLE_EQ(s.p50_jct_s, 3600);
  EXPECT_DOUBLE_EQ(s.p99_jct_s, 4500);
  EXPECT_DOUBLE_EQ(s.max_queue_s, 3500);
  EXPECT_DOUBLE_EQ(s.makespan_s, 4600);
  EXPECT_NEAR(s.utilization, (8 * 3600 + 4 * 1000) / (8.0 * 4600), 1e-9);
  EXPECT_DOUBLE_EQ(s.ftf_max, 4.5);
  EXPECT_NEAR(s.ftf_jain, (1 + 4.5) * (1 + 4.5) / (2 * (1 + 4.5 * 4.5)), 1e-9);
}

}  // namespace
}  // namespace qiusuo::sched
