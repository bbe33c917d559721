#include "sched/model.h"

#include <algorithm>

namespace qiusuo::sched {

int Cluster::TotalGpus() const {
  int total = 0;
  for (const auto& n : nodes) total += n.gpus;
  return total;
}

int Cluster::LargestNode() const {
  int largest = 0;
  for (const auto& n : nodes) largest = std::max(largest, n.gpus);
  return largest;
}

Cluster Cluster::Uniform(int total, int per_node) {
  Cluster c;
  for (int left = total, idx = 0; left > 0; left -= per_node, ++idx) {
    c.nodes.push_back({"node" + std::to_string(idx), std::min(left, per_node), "gpu"});
  }
  return c;
}

int Placement::Gpus() const {
  int sum = 0;
  for (const auto& [node, gpus] : parts) sum += gpus;
  return sum;
}

}  // namespace qiusuo::sched
