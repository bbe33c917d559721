#pragma once
// Free GPUs per node, indexed by how many each node has free, for gang placement
// that keeps fragmentation low: a job that fits in one node takes the fullest node
// it fits in (best fit); a larger job takes whole free nodes, largest first, and
// puts any remainder best-fit.

#include <optional>
#include <vector>

#include "sched/model.h"

namespace qiusuo::sched {

class FreeMap {
 public:
  explicit FreeMap(const Cluster& cluster);

  int free_gpus() const { return free_total_; }
  int FreeOn(int node) const { return free_[node]; }

  // Where `gpus` would go now, or nothing if the gang does not fit.
  std::optional<Placement> Find(int gpus) const;
  void Take(const Placement& p);
  void Give(const Placement& p);

 private:
  void Move(int node, int new_free);

  const Cluster& cluster_;
  std::vector<int> free_;                  // per node
  std::vector<std::vector<int>> buckets_;  // free count -> nodes with exactly that many free
  std::vector<int> slot_;                  // node -> its index inside its bucket
  int free_total_ = 0;
};

}  // namespace qiusuo::sched
