#pragma once
// `qiusuo simulate`: replays a trace under several policies and reports.

#include <string>
#include <vector>

#include "common/error.h"

namespace qiusuo::cli {

struct SimulateOptions {
  std::string trace;
  int gpus = 0;
  int gpus_per_node = 8;
  std::vector<std::string> policies = {"uncapped", "fifo",     "quota",
                                       "borrow",   "tiresias", "srtf-oracle"};
  bool json = false;
  std::string report;  // HTML file to write, if any
  int projects = 8;    // ITP traces: how many projects to spread jobs over
  std::uint64_t seed = 42;
  long min_runtime = 600;
  long checkpoint_interval = 1800;
  long restart_delay = 60;
  long grace = 30;
  double half_life_days = 7;
  int threads = 0;  // 0: one per core
};

Status RunSimulate(const SimulateOptions& options);

}  // namespace qiusuo::cli
