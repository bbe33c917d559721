#pragma once
// A self-contained HTML page with inline SVG plots of a simulation: JCT CDF per
// policy, utilization and queue length over time, GPUs per project over time.

#include <string>
#include <vector>

#include "sched/metrics.h"
#include "sched/simulator.h"
#include "sched/trace.h"

namespace qiusuo::cli {

std::string RenderSimReport(const std::string& title, const sched::Trace& trace, int total_gpus,
                            const std::vector<sched::SimResult>& results,
                            const std::vector<sched::Summary>& summaries);

}  // namespace qiusuo::cli
