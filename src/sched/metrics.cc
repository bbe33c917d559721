#include "sched/metrics.h"

#include <algorithm>
#include <cmath>

namespace qiusuo::sched {
namespace {

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

}  // namespace

std::map<std::int64_t, double> IsolatedMeanJct(const std::vector<TraceJob>& jobs, int project_count,
                                               const SimConfig& config) {
  std::map<std::int64_t, std::vector<TraceJob>> by_project;
  for (const auto& j : jobs) by_project[j.project].push_back(j);
  const int n = std::max<int>(1, static_cast<int>(by_project.size()));
  const int per_node = std::max(1, config.cluster.LargestNode());
  const auto fifo = MakePolicy("fifo", config.policy);
  std::map<std::int64_t, double> out;
  for (auto& [project, list] : by_project) {
    int largest = 0;
    for (auto& j : list) largest = std::max(largest, j.gpus);
    for (std::size_t i = 0; i < list.size(); ++i) list[i].id = static_cast<std::int64_t>(i);
    SimConfig alone = config;
    alone.cluster = Cluster::Uniform(std::max(config.cluster.TotalGpus() / n, largest), per_node);
    alone.timeline_bins = 1;
    const SimResult r = Simulate(list, project_count, alone, *fifo);
    double sum = 0;
    for (const auto& o : r.jobs) sum += static_cast<double>(o.finish - o.submit);
    out[project] = sum / static_cast<double>(list.size());
  }
  return out;
}

Summary Summarize(const SimResult& result, int total_gpus,
                  const std::map<std::int64_t, double>& isolated_mean_jct) {
  Summary s;
  s.policy = result.policy;
  s.jobs = static_cast<int>(result.jobs.size());
  std::vector<double> jct;
  jct.reserve(result.jobs.size());
  std::map<std::int64_t, std::pair<double, int>> per_project;
  double queue_sum = 0;
  for (const auto& o : result.jobs) {
    if (o.finish < 0) continue;
    const double j = static_cast<double>(o.finish - o.submit);
    jct.push_back(j);
    const double q = static_cast<double>(o.first_start - o.submit);
    queue_sum += q;
    s.max_queue_s = std::max(s.max_queue_s, q);
    auto& [sum, count] = per_project[o.project];
    sum += j;
    ++count;
  }
  std::sort(jct.begin(), jct.end());
  if (!jct.empty()) {
    double sum = 0;
    for (double j : jct) sum += j;
    s.avg_jct_s = sum / static_cast<double>(jct.size());
    s.avg_queue_s = queue_sum / static_cast<double>(jct.size());
  }
  s.p50_jct_s = Percentile(jct, 0.50);
  s.p95_jct_s = Percentile(jct, 0.95);
  s.p99_jct_s = Percentile(jct, 0.99);
  s.makespan_s = static_cast<double>(result.last_finish - result.first_submit);
  s.utilization = s.makespan_s > 0 ? result.busy_gpu_seconds / (total_gpus * s.makespan_s) : 0;
  s.preemptions = result.preemptions;
  s.lost_gpu_hours = result.lost_gpu_seconds / 3600.0;
  double sum = 0, sum_sq = 0;
  for (const auto& [project, acc] : per_project) {
    auto it = isolated_mean_jct.find(project);
    if (it == isolated_mean_jct.end() || it->second <= 0) continue;
    const double rho = acc.first / acc.second / it->second;
    s.ftf[project] = rho;
    s.ftf_max = std::max(s.ftf_max, rho);
    sum += rho;
    sum_sq += rho * rho;
  }
  if (!s.ftf.empty() && sum_sq > 0)
    s.ftf_jain = sum * sum / (static_cast<double>(s.ftf.size()) * sum_sq);
  return s;
}

}  // namespace qiusuo::sched
