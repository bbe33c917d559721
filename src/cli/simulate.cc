#include "cli/simulate.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/sim_report.h"
#include "cli/table.h"
#include "sched/metrics.h"
#include "sched/simulator.h"
#include "sched/trace.h"

namespace qiusuo::cli {
namespace {

// One line on stderr, redrawn: each policy's share of jobs finished.
class ProgressBar {
 public:
  ProgressBar(std::vector<std::string> names, bool enabled)
      : names_(std::move(names)), done_(names_.size()), enabled_(enabled) {
    for (auto& d : done_) d = 0;
  }
  void Set(std::size_t idx, double fraction) {
    if (!enabled_) return;
    done_[idx] = static_cast<int>(fraction * 100);
    std::lock_guard lock(mu_);
    std::ostringstream line;
    line << "\r";
    for (std::size_t i = 0; i < names_.size(); ++i) {
      const int pct = done_[i];
      line << names_[i] << " [" << std::string(pct / 10, '#') << std::string(10 - pct / 10, '.')
           << "] " << std::setw(3) << pct << "%  ";
    }
    std::cerr << line.str() << std::flush;
  }
  void Finish() {
    if (enabled_) std::cerr << "\n";
  }

 private:
  std::vector<std::string> names_;
  std::vector<std::atomic<int>> done_;
  bool enabled_;
  std::mutex mu_;  // guards writes to std::cerr
};

std::string Hours(double seconds) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(seconds < 36000 ? 2 : 1) << seconds / 3600.0;
  return s.str();
}

std::string Fixed(double v, int digits) {
  std::ostringstream s;
  s << std::fixed << std::setprecision(digits) << v;
  return s.str();
}

}  // namespace

Status RunSimulate(const SimulateOptions& options) {
  if (options.gpus <= 0) return InvalidArgument("gpus", "--gpus must be a positive number of GPUs");
  if (options.gpus_per_node <= 0)
    return InvalidArgument("gpus-per-node", "--gpus-per-node must be positive");
  std::ifstream file(options.trace);
  if (!file) return InvalidArgument("trace", "cannot read the trace file " + options.trace);
  std::stringstream content;
  content << file.rdbuf();
  sched::TraceOptions trace_options;
  trace_options.projects = options.projects;
  trace_options.seed = options.seed;
  const sched::Trace trace = QS_TRY(sched::ParseTrace(content.str(), trace_options));
  if (trace.jobs.empty()) return InvalidArgument("trace", options.trace + " has no GPU jobs");
  int largest = 0;
  for (const auto& j : trace.jobs) largest = std::max(largest, j.gpus);
  if (largest > options.gpus) {
    return InvalidArgument("gpus", "the trace has a " + std::to_string(largest) +
                                       "-GPU job; give --gpus at least that many");
  }

  sched::SimConfig config;
  config.cluster = sched::Cluster::Uniform(options.gpus, options.gpus_per_node);
  config.policy.min_runtime = options.min_runtime;
  config.policy.half_life = static_cast<sched::Time>(options.half_life_days * 86400);
  config.checkpoint_interval = options.checkpoint_interval;
  config.restart_delay = options.restart_delay;
  config.grace = options.grace;
  for (std::size_t p = 0; p < trace.projects.size(); ++p)
    config.projects[static_cast<std::int64_t>(p)] = {};
  const int project_count = static_cast<int>(trace.projects.size());

  std::vector<std::unique_ptr<sched::Policy>> policies;
  for (const auto& name : options.policies) {
    auto p = sched::MakePolicy(name, config.policy);
    if (!p) {
      std::string known;
      for (const auto& n : sched::PolicyNames()) known += (known.empty() ? "" : ", ") + n;
      std::string message = "unknown policy '";
      message.append(name).append("'; known: ").append(known);
      return InvalidArgument("policy", message);
    }
    policies.push_back(std::move(p));
  }

  const bool tty = isatty(STDERR_FILENO) != 0;
  if (tty) {
    std::cerr << "qiusuo simulate: " << trace.jobs.size() << " jobs (" << trace.format << ", "
              << project_count << " projects"
              << (trace.skipped ? ", " + std::to_string(trace.skipped) + " CPU-only rows skipped"
                                : "")
              << ") on " << options.gpus << " GPUs; fair-share baselines first\n";
  }
  const auto isolated = sched::IsolatedMeanJct(trace.jobs, project_count, config);

  std::vector<sched::SimResult> results(policies.size());
  std::vector<double> wall(policies.size());
  ProgressBar bar(options.policies, tty);
  std::atomic<std::size_t> next{0};
  const int threads = options.threads > 0
                          ? options.threads
                          : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::vector<std::thread> workers;
  for (int t = 0; t < std::min<int>(threads, static_cast<int>(policies.size())); ++t) {
    workers.emplace_back([&] {
      for (std::size_t idx = next++; idx < policies.size(); idx = next++) {
        const auto begin = std::chrono::steady_clock::now();
        results[idx] = sched::Simulate(trace.jobs, project_count, config, *policies[idx],
                                       [&, idx](double f) { bar.Set(idx, f); });
        wall[idx] = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
      }
    });
  }
  for (auto& w : workers) w.join();
  bar.Finish();

  std::vector<sched::Summary> summaries;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i].stalled) {
      return Internal("policy " + options.policies[i] +
                      " stalled: jobs stopped making progress (a scheduler bug; please report it "
                      "with the trace and flags)");
    }
    summaries.push_back(sched::Summarize(results[i], options.gpus, isolated));
    summaries.back().wall_s = wall[i];
  }

  if (options.json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& s : summaries) {
      out.push_back({{"policy", s.policy},
                     {"jobs", s.jobs},
                     {"gpus", options.gpus},
                     {"avg_jct_s", s.avg_jct_s},
                     {"p50_jct_s", s.p50_jct_s},
                     {"p95_jct_s", s.p95_jct_s},
                     {"p99_jct_s", s.p99_jct_s},
                     {"avg_queue_s", s.avg_queue_s},
                     {"max_queue_s", s.max_queue_s},
                     {"utilization", s.utilization},
                     {"makespan_s", s.makespan_s},
                     {"preemptions", s.preemptions},
                     {"lost_gpu_hours", s.lost_gpu_hours},
                     {"ftf_max", s.ftf_max},
                     {"ftf_jain", s.ftf_jain},
                     {"wall_s", s.wall_s}});
    }
    std::cout << out.dump(2) << "\n";
  } else {
    std::vector<std::vector<std::string>> rows;
    rows.reserve(summaries.size());
    for (const auto& s : summaries) {
      rows.push_back({s.policy, Hours(s.avg_jct_s), Hours(s.p50_jct_s), Hours(s.p95_jct_s),
                      Hours(s.p99_jct_s), Hours(s.avg_queue_s), Hours(s.max_queue_s),
                      Fixed(100 * s.utilization, 1) + "%", Hours(s.makespan_s),
                      std::to_string(s.preemptions), Fixed(s.lost_gpu_hours, 1),
                      Fixed(s.ftf_max, 2), Fixed(s.ftf_jain, 3), Fixed(s.wall_s, 1)});
    }
    std::cout << trace.jobs.size() << " jobs, " << options.gpus << " GPUs ("
              << options.gpus_per_node << " per node), " << project_count
              << " projects; times in hours\n";
    PrintTable(std::cout,
               {"POLICY", "AVG JCT", "P50", "P95", "P99", "AVG QUEUE", "MAX QUEUE", "UTIL",
                "MAKESPAN", "PREEMPT", "LOST GPU-H", "FTF MAX", "FTF JAIN", "WALL S"},
               rows);
  }
  if (!options.report.empty()) {
    std::ofstream out(options.report, std::ios::trunc);
    if (!out) return Fail(ErrorCode::kInternal, "cannot write the report " + options.report);
    out << RenderSimReport(options.trace, trace, options.gpus, results, summaries);
    if (tty) std::cerr << "report written to " << options.report << "\n";
  }
  return {};
}

}  // namespace qiusuo::cli
