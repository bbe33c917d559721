#pragma once
// Trace-driven discrete-event simulation over the same Policy code the live server
// runs. Preemption costs what it costs in life: the work since the job's last
// checkpoint is lost, the GPUs stay busy through the grace period, and a restarted
// job spends a restart delay before it makes progress again.

#include <functional>
#include <string>
#include <vector>

#include "sched/policy.h"
#include "sched/trace.h"

namespace qiusuo::sched {

struct SimConfig {
  Cluster cluster;
  PolicyConfig policy;
  ProjectTable projects;            // weights' inputs; missing projects get defaults
  Time checkpoint_interval = 1800;  // jobs checkpoint every 30 min of progress
  Time restart_delay = 60;          // a restarted job loads its checkpoint this long
  Time grace = 30;                  // a preempted job keeps its GPUs this long to exit
  // Every job declares a time limit of `time_limit_factor` x its duration, rounded up
  // to the hour, as users overestimate; all policies see the same limits.
  double time_limit_factor = 2.0;
  int timeline_bins = 300;
};

struct JobOutcome {
  std::int64_t id = 0;
  std::int64_t project = 0;
  int gpus = 0;
  Time submit = 0;
  Time first_start = -1;
  Time finish = -1;
  Time duration = 0;
  int preemptions = 0;
  double lost_gpu_seconds = 0;
};

struct TimelineBin {
  Time start = 0;
  double busy_gpus = 0;              // mean over the bin
  double queued = 0;                 // mean pending jobs over the bin
  std::vector<double> project_gpus;  // mean GPUs per project over the bin
};

struct SimResult {
  std::string policy;
  std::vector<JobOutcome> jobs;
  std::vector<TimelineBin> timeline;
  double busy_gpu_seconds = 0;
  Time first_submit = 0;
  Time last_finish = 0;
  int preemptions = 0;
  double lost_gpu_seconds = 0;
  std::int64_t cycles = 0;
  bool stalled = false;  // some job could never start (a bug, or a job larger than the cluster)
};

using ProgressFn = std::function<void(double done_fraction)>;

SimResult Simulate(const std::vector<TraceJob>& jobs, int project_count, const SimConfig& config,
                   const Policy& policy, const ProgressFn& progress = {});

}  // namespace qiusuo::sched
