// One scheduling cycle of each policy at 1k, 10k and 100k pending jobs on 10,000
// GPUs (1,250 nodes of 8) with half of them busy. items/s = pending jobs
// considered per second, i.e. admission decisions per second.
#include <benchmark/benchmark.h>

#include <random>

#include "sched/policy.h"

namespace qiusuo::sched {
namespace {

struct World {
  Cluster cluster = Cluster::Uniform(10'000, 8);
  std::vector<RunningJob> running;
  std::vector<Job> pending;
  ProjectTable projects;
  UsageTable usage;
};

World MakeWorld(int pending_jobs) {
  World w;
  std::mt19937_64 rng(7);
  const int sizes[] = {1, 1, 1, 2, 4, 8, 8, 16, 32};
  for (int p = 0; p < 50; ++p) {
    w.projects[p] = {1 + static_cast<int>(rng() % 6), static_cast<int>(rng() % 4), {}};
    w.usage.project[p] = static_cast<double>(rng() % 1'000'000);
  }
  // Half the GPUs busy: 625 whole nodes, each running one 8-GPU or eight 1-GPU jobs.
  std::int64_t id = 1;
  for (int node = 0; node < 625; ++node) {
    const std::int64_t project = static_cast<std::int64_t>(rng() % 50);
    if (node % 2 == 0) {
      Job j{id++, project, project, 8, 0, 0, 3600 * 24, 0, 0, std::nullopt};
      w.running.push_back({j, Placement{{{node, 8}}}, static_cast<Time>(rng() % 3600), false});
    } else {
      for (int g = 0; g < 8; ++g) {
        Job j{id++, project, project, 1, 0, 0, 3600 * 4, 0, 0, std::nullopt};
        w.running.push_back({j, Placement{{{node, 1}}}, static_cast<Time>(rng() % 3600), false});
      }
    }
  }
  for (int i = 0; i < pending_jobs; ++i) {
    const std::int64_t project = static_cast<std::int64_t>(rng() % 50);
    const auto submit = static_cast<Time>(rng() % 7200);
    w.pending.push_back({id++, project * 10 + static_cast<std::int64_t>(rng() % 5), project,
                         sizes[rng() % 9], submit, submit,
                         static_cast<Time>(3600 * (1 + rng() % 48)), 0, 0, std::nullopt});
  }
  return w;
}

void Cycle(benchmark::State& state, const char* policy_name) {
  const World w = MakeWorld(static_cast<int>(state.range(0)));
  const auto policy = MakePolicy(policy_name, PolicyConfig{});
  std::size_t started = 0;
  for (auto _ : state) {
    Decisions d = policy->Plan({w.cluster, w.running, w.pending, w.projects, w.usage, 10'000});
    started = d.starts.size();
    benchmark::DoNotOptimize(d);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.counters["started"] = static_cast<double>(started);
}

void BM_Uncapped(benchmark::State& s) { Cycle(s, "uncapped"); }
void BM_Fifo(benchmark::State& s) { Cycle(s, "fifo"); }
void BM_Borrow(benchmark::State& s) { Cycle(s, "borrow"); }
void BM_Tiresias(benchmark::State& s) { Cycle(s, "tiresias"); }

BENCHMARK(BM_Uncapped)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Fifo)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Borrow)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Tiresias)->Arg(1'000)->Arg(10'000)->Arg(100'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace qiusuo::sched

BENCHMARK_MAIN();
