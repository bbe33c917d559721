#pragma once
// Weights, entitlements and decayed usage: the arithmetic of "attraction earns share".
//
// A project's weight (rule 4, rule 5):
//   weight = max(min_weight, member_weight * members + backer_weight * backers)
//            * product of the factors of its live boosts
// Its entitlement is its weighted max-min fair share (water-filling) of the
// cluster's GPUs among the projects that have demand (running + pending GPUs):
// no project gets more than it asks for, and what one does not need is shared
// among the others in proportion to their weights.

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "sched/model.h"

namespace qiusuo::sched {

struct WeightConfig {
  double member_weight = 1.0;
  double backer_weight = 0.5;
  double min_weight = 1.0;
};

double ProjectWeight(const ProjectInfo& info, const WeightConfig& config, Time now);

struct Claim {
  std::int64_t project = 0;
  double weight = 1.0;
  double demand = 0.0;  // GPUs
};

// Entitlement per project, summing to min(capacity, total demand).
std::unordered_map<std::int64_t, double> WaterFill(double capacity, std::span<const Claim> claims);

// Multiplies every usage by 2^(-elapsed/half_life), then adds each running job's
// GPU-seconds over [from, to) to its project and owner (decayed to `to` as a block).
void AdvanceUsage(UsageTable& usage, std::span<const RunningJob> running, Time from, Time to,
                  Time half_life);

}  // namespace qiusuo::sched
