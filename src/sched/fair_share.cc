#include "sched/fair_share.h"

#include <algorithm>
#include <cmath>

namespace qiusuo::sched {

double ProjectWeight(const ProjectInfo& info, const WeightConfig& config, Time now) {
  double weight = std::max(
      config.min_weight, config.member_weight * info.members + config.backer_weight * info.backers);
  for (const auto& boost : info.boosts) {
    if (boost.expires > now && boost.factor > 0) weight *= boost.factor;
  }
  return weight;
}

std::unordered_map<std::int64_t, double> WaterFill(double capacity, std::span<const Claim> claims) {
  std::vector<Claim> order;
  for (const auto& c : claims) {
    if (c.demand > 0 && c.weight > 0) order.push_back(c);
  }
  // Fill the projects that ask least per unit of weight first; each either gets
  // all it asks or, once one cannot, all the rest share what is left by weight.
  std::sort(order.begin(), order.end(), [](const Claim& a, const Claim& b) {
    const double ra = a.demand / a.weight, rb = b.demand / b.weight;
    return ra != rb ? ra < rb : a.project < b.project;
  });
  double weight_left = 0;
  for (const auto& c : order) weight_left += c.weight;
  std::unordered_map<std::int64_t, double> out;
  double left = capacity;
  for (std::size_t i = 0; i < order.size(); ++i) {
    const Claim& c = order[i];
    const double fair = left * c.weight / weight_left;
    if (c.demand <= fair) {
      out[c.project] = c.demand;
      left -= c.demand;
      weight_left -= c.weight;
      continue;
    }
    for (std::size_t j = i; j < order.size(); ++j) {
      out[order[j].project] = left * order[j].weight / weight_left;
    }
    break;
  }
  return out;
}

void AdvanceUsage(UsageTable& usage, std::span<const RunningJob> running, Time from, Time to,
                  Time half_life) {
  if (to <= from) return;
  const double elapsed = static_cast<double>(to - from);
  const double decay = half_life > 0 ? std::exp2(-elapsed / static_cast<double>(half_life)) : 0.0;
  for (auto& [project, value] : usage.project) value *= decay;
  for (auto& [member, value] : usage.member) value *= decay;
  // GPU-seconds accrued during the interval, decayed from its midpoint.
  const double mid = half_life > 0 ? std::exp2(-elapsed / 2 / static_cast<double>(half_life)) : 1.0;
  for (const auto& r : running) {
    const double gpu_seconds = r.placement.Gpus() * elapsed * mid;
    usage.project[r.job.project] += gpu_seconds;
    usage.member[r.job.owner] += gpu_seconds;
  }
}

}  // namespace qiusuo::sched
