#pragma once
// The scheduling model: a cluster of nodes with GPUs, gang jobs, projects with the
// people who chose them, and open boosts. Pure values; time is seconds as int64.

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace qiusuo::sched {

using Time = std::int64_t;  // seconds
inline constexpr Time kNever = INT64_MAX / 4;

struct Node {
  std::string name;
  int gpus = 8;
  std::string gpu_type = "gpu";
};

struct Cluster {
  std::vector<Node> nodes;

  int TotalGpus() const;
  int LargestNode() const;
  // `total` GPUs in nodes of `per_node` (the last node takes the remainder).
  static Cluster Uniform(int total, int per_node);
};

// A job asks for `gpus` GPUs all at once (a gang): all or nothing.
struct Job {
  std::int64_t id = 0;
  std::int64_t owner = 0;  // member
  std::int64_t project = 0;
  int gpus = 1;
  Time submit = 0;
  Time queued = 0;                 // when it last joined the queue: submission or preemption
  std::optional<Time> time_limit;  // seconds of run time; backfill relies on it
  Time attained = 0;               // GPU-seconds of service received so far (all runs)
  int restarts = 0;
  // Known only to oracle policies (srtf-oracle) and to the simulator.
  std::optional<Time> remaining_hint;
};

// Where a job runs: (node index, GPUs on that node) parts summing to the job's GPUs.
struct Placement {
  std::vector<std::pair<int, int>> parts;
  int Gpus() const;
};

struct RunningJob {
  Job job;
  Placement placement;
  Time started = 0;        // start of the current run
  bool releasing = false;  // preempted, inside its grace period
};

struct Boost {
  double factor = 1.0;
  Time expires = 0;
  std::string reason;
};

// Who chose a project: its active members and its backers (rule 4), and its
// open boosts (rule 5).
struct ProjectInfo {
  int members = 1;
  int backers = 0;
  std::vector<Boost> boosts;
};

using ProjectTable = std::unordered_map<std::int64_t, ProjectInfo>;

// Decayed GPU-seconds, by project and by member, as of the scheduling time.
struct UsageTable {
  std::unordered_map<std::int64_t, double> project;
  std::unordered_map<std::int64_t, double> member;
};

}  // namespace qiusuo::sched
