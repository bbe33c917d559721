#include "sched/placement.h"

#include <algorithm>

namespace qiusuo::sched {

FreeMap::FreeMap(const Cluster& cluster)
    : cluster_(cluster),
      free_(cluster.nodes.size(), 0),
      buckets_(static_cast<std::size_t>(cluster.LargestNode()) + 1),
      slot_(cluster.nodes.size(), 0) {
  for (std::size_t node = 0; node < cluster.nodes.size(); ++node) {
    free_[node] = cluster.nodes[node].gpus;
    slot_[node] = static_cast<int>(buckets_[free_[node]].size());
    buckets_[free_[node]].push_back(static_cast<int>(node));
    free_total_ += free_[node];
  }
}

void FreeMap::Move(int node, int new_free) {
  auto& from = buckets_[free_[node]];
  const int idx = slot_[node];
  from[idx] = from.back();
  slot_[from[idx]] = idx;
  from.pop_back();
  free_total_ += new_free - free_[node];
  free_[node] = new_free;
  slot_[node] = static_cast<int>(buckets_[new_free].size());
  buckets_[new_free].push_back(node);
}

std::optional<Placement> FreeMap::Find(int gpus) const {
  if (gpus <= 0 || gpus > free_total_) return std::nullopt;
  const int max_free = static_cast<int>(buckets_.size()) - 1;
  Placement p;
  if (gpus <= max_free) {
    // Fits in one node: only ever one node, the fullest that fits (best fit).
    for (int f = gpus; f <= max_free; ++f) {
      if (!buckets_[f].empty()) {
        p.parts.emplace_back(buckets_[f].back(), gpus);
        return p;
      }
    }
    return std::nullopt;
  }
  // Larger than any node's free GPUs: whole free nodes first, largest first.
  int left = gpus;
  std::vector<int> whole;
  for (std::size_t node = 0; node < cluster_.nodes.size(); ++node) {
    if (free_[node] > 0 && free_[node] == cluster_.nodes[node].gpus)
      whole.push_back(static_cast<int>(node));
  }
  std::stable_sort(whole.begin(), whole.end(),
                   [&](int a, int b) { return cluster_.nodes[a].gpus > cluster_.nodes[b].gpus; });
  std::vector<bool> used(cluster_.nodes.size(), false);
  for (int node : whole) {
    if (left == 0) break;
    if (free_[node] > left) continue;  // leave it for the remainder's best fit
    p.parts.emplace_back(node, free_[node]);
    used[node] = true;
    left -= free_[node];
  }
  // The remainder: best fit among nodes not used yet, then fill from the fullest partials.
  while (left > 0) {
    int best = -1;
    for (int f = left; f <= max_free && best < 0; ++f) {
      for (int node : buckets_[f]) {
        if (!used[node]) {
          best = node;
          break;
        }
      }
    }
    if (best >= 0) {
      p.parts.emplace_back(best, left);
      used[best] = true;
      left = 0;
      break;
    }
    // Nothing holds the whole remainder: take the node with the most free GPUs.
    int most = -1;
    for (int f = std::min(left, max_free); f >= 1 && most < 0; --f) {
      for (int node : buckets_[f]) {
        if (!used[node]) {
          most = node;
          break;
        }
      }
    }
    if (most < 0) return std::nullopt;
    p.parts.emplace_back(most, free_[most]);
    used[most] = true;
    left -= free_[most];
  }
  return p;
}

void FreeMap::Take(const Placement& p) {
  for (const auto& [node, gpus] : p.parts) Move(node, free_[node] - gpus);
}

void FreeMap::Give(const Placement& p) {
  for (const auto& [node, gpus] : p.parts) Move(node, free_[node] + gpus);
}

}  // namespace qiusuo::sched
