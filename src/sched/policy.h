#pragma once
// A scheduling policy decides, each cycle, which pending jobs start where and which
// running jobs are preempted. Pure and deterministic: the same input gives the same
// decisions. The live server and the simulator call the same code.

#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "sched/fair_share.h"
#include "sched/model.h"

namespace qiusuo::sched {

struct PolicyConfig {
  WeightConfig weights;
  Time half_life = Time{7} * 24 * 3600;  // of decayed usage, as Slurm's PriorityDecayHalfLife
  Time min_runtime = Time{10} * 60;      // no preemption before a run is this old
  // uncapped: a job that has waited this long and is next in line may preempt borrowers
  // even when it asks for more than its project's share, so a gang larger than any
  // share is not held back for ever by borrowers that never end.
  Time starvation_wait = Time{3600};
  bool explain = false;  // fill Decisions::reasons (costs a string per waiting job)
  // tiresias: attained-service (GPU-seconds) queue boundaries, highest priority first.
  std::vector<double> tiresias_thresholds = {3600.0, 36000.0};
};

struct SchedInput {
  const Cluster& cluster;
  std::span<const RunningJob> running;
  std::span<const Job> pending;
  const ProjectTable& projects;
  const UsageTable& usage;
  Time now = 0;
};

struct StartDecision {
  std::int64_t job = 0;
  Placement placement;
};

struct ProjectShare {
  double weight = 0;
  double demand = 0;       // GPUs running + pending
  double entitlement = 0;  // GPUs (uncapped: water-filled; quota/borrow: the static quota)
  int allocated = 0;       // GPUs running now (not counting those being released)
  double usage = 0;        // decayed GPU-seconds
};

struct Decisions {
  std::vector<StartDecision> starts;
  std::vector<std::int64_t> preempts;
  std::unordered_map<std::int64_t, std::string> reasons;  // waiting job -> why (explain only)
  std::optional<std::int64_t> reserved;                   // the head job holding a reservation
  Time wake_at = kNever;  // plan again by then even if no job arrives or ends
  std::map<std::int64_t, ProjectShare> shares;
};

class Policy {
 public:
  virtual ~Policy() = default;
  virtual std::string_view name() const = 0;
  virtual Decisions Plan(const SchedInput& input) const = 0;
};

// "uncapped", "fifo", "quota", "borrow", "tiresias" or "srtf-oracle"; nullptr otherwise.
std::unique_ptr<Policy> MakePolicy(std::string_view name, const PolicyConfig& config);
std::vector<std::string> PolicyNames();

}  // namespace qiusuo::sched
