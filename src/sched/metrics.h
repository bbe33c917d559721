#pragma once
// What a replay shows: job completion times, queueing, utilization, preemption
// cost and finish-time fairness (Themis, NSDI '20: a project's mean JCT in the
// shared cluster over its mean JCT alone on a 1/N share of it).

#include <map>
#include <string>
#include <vector>

#include "sched/simulator.h"

namespace qiusuo::sched {

struct Summary {
  std::string policy;
  int jobs = 0;
  double avg_jct_s = 0, p50_jct_s = 0, p95_jct_s = 0, p99_jct_s = 0;
  double avg_queue_s = 0, max_queue_s = 0;
  double utilization = 0;  // busy GPU-time over (GPUs x makespan), 0..1
  double makespan_s = 0;
  int preemptions = 0;
  double lost_gpu_hours = 0;
  double ftf_max = 0;  // worst project's finish-time fairness (1 = as good as its fair share alone)
  double ftf_jain = 0;                 // Jain's index over the projects' ftf (1 = all equal)
  std::map<std::int64_t, double> ftf;  // per project
  double wall_s = 0;
};

// Mean JCT of each project's jobs run alone, FIFO with backfill, on a cluster of
// max(total/N, its largest job) GPUs: the denominator of finish-time fairness.
std::map<std::int64_t, double> IsolatedMeanJct(const std::vector<TraceJob>& jobs, int project_count,
                                               const SimConfig& config);

Summary Summarize(const SimResult& result, int total_gpus,
                  const std::map<std::int64_t, double>& isolated_mean_jct);

}  // namespace qiusuo::sched
