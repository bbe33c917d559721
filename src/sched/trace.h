#pragma once
// Trace readers for ../shared/traces: the ITP-2021 format
// (job_id,submission_time,duration,num_gpu) and the Philly-derived format
// (job_id,user,num_gpu,submit_time,...,duration,...), told apart by the header.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "sched/model.h"

namespace qiusuo::sched {

struct TraceJob {
  std::int64_t id = 0;  // dense, in submit order
  std::string name;     // the trace's own job id
  std::int64_t project = 0;
  int gpus = 1;
  Time submit = 0;
  Time duration = 0;  // seconds of run time at its GPU count
};

struct Trace {
  std::string format;  // "itp" or "philly"
  std::vector<TraceJob> jobs;
  std::vector<std::string> projects;  // index = TraceJob::project
  int skipped = 0;                    // rows without GPUs (CPU jobs)
};

struct TraceOptions {
  // ITP traces carry no owner. Each job goes to one of `projects` projects drawn
  // from a Zipf(1) distribution (project k with weight 1/(k+1)) by a SplitMix64
  // generator seeded with `seed`, in file order: a few heavy projects and a tail.
  int projects = 8;
  std::uint64_t seed = 42;
};

Result<Trace> ParseTrace(std::string_view csv, const TraceOptions& options);

}  // namespace qiusuo::sched
