#include "sched/trace.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>

namespace qiusuo::sched {
namespace {

std::vector<std::string_view> SplitCsvLine(std::string_view line) {
  std::vector<std::string_view> out;
  while (true) {
    const auto comma = line.find(',');
    out.push_back(line.substr(0, comma));
    if (comma == std::string_view::npos) break;
    line.remove_prefix(comma + 1);
  }
  return out;
}

bool ParseNumber(std::string_view text, double& out) {
  while (!text.empty() && (text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

std::uint64_t SplitMix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

}  // namespace

Result<Trace> ParseTrace(std::string_view csv, const TraceOptions& options) {
  Trace trace;
  const auto first_nl = csv.find('\n');
  std::string header(csv.substr(0, first_nl));
  if (!header.empty() && header.back() == '\r') header.pop_back();
  const auto columns = SplitCsvLine(header);
  auto column = [&](std::string_view name) -> int {
    for (std::size_t i = 0; i < columns.size(); ++i) {
      if (columns[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  int c_submit = column("submission_time");
  const int c_user = column("user");
  const int c_gpus = column("num_gpu"), c_duration = column("duration"), c_id = column("job_id");
  if (c_submit >= 0) {
    trace.format = "itp";
  } else if (c_user >= 0 && column("submit_time") >= 0) {
    c_submit = column("submit_time");
    trace.format = "philly";
  }
  if (trace.format.empty() || c_gpus < 0 || c_duration < 0) {
    return InvalidArgument("trace",
                           "unknown trace format: the header must have job_id, "
                           "submission_time, duration, num_gpu (ITP) or job_id, user, "
                           "num_gpu, submit_time, duration (Philly)");
  }
  std::map<std::string, std::int64_t, std::less<>> project_ids;
  double zipf_total = 0;
  for (int k = 0; k < options.projects; ++k) zipf_total += 1.0 / (k + 1);
  if (trace.format == "itp") {
    for (int k = 0; k < options.projects; ++k)
      trace.projects.push_back("project-" + std::to_string(k));
  }
  std::uint64_t rng = options.seed;

  std::string_view rest = first_nl == std::string_view::npos ? "" : csv.substr(first_nl + 1);
  int line_no = 1;
  while (!rest.empty()) {
    const auto nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? "" : rest.substr(nl + 1);
    ++line_no;
    if (line.empty() || line == "\r") continue;
    const auto fields = SplitCsvLine(line);
    const int needed = std::max({c_submit, c_gpus, c_duration, c_id, c_user});
    double submit = 0, duration = 0, gpus = 0;
    if (static_cast<int>(fields.size()) <= needed || !ParseNumber(fields[c_submit], submit) ||
        !ParseNumber(fields[c_duration], duration) || !ParseNumber(fields[c_gpus], gpus)) {
      return InvalidArgument("trace", "line " + std::to_string(line_no) + " is not a valid row: " +
                                          std::string(line.substr(0, 80)));
    }
    // Found by fuzz/fuzz_trace: a number past what Time or int holds made the casts
    // below undefined. A century of seconds and a million GPUs bound any real trace.
    constexpr double kMaxSeconds = 100.0 * 365 * 86400, kMaxGpus = 1 << 20;
    if (!std::isfinite(submit) || !std::isfinite(duration) || !std::isfinite(gpus) ||
        std::fabs(submit) > kMaxSeconds || std::fabs(duration) > kMaxSeconds ||
        std::fabs(gpus) > kMaxGpus) {
      return InvalidArgument("trace", "line " + std::to_string(line_no) +
                                          ": times are seconds within a century and GPUs at "
                                          "most 1048576: " +
                                          std::string(line.substr(0, 80)));
    }
    TraceJob job;
    job.name = c_id >= 0 ? std::string(fields[c_id]) : std::to_string(line_no);
    job.submit = static_cast<Time>(submit);
    job.duration = std::max<Time>(1, static_cast<Time>(std::ceil(duration)));
    job.gpus = static_cast<int>(gpus);
    if (job.gpus <= 0) {
      ++trace.skipped;
      continue;
    }
    if (trace.format == "philly") {
      const std::string user(fields[c_user]);
      auto [it, inserted] =
          project_ids.try_emplace(user, static_cast<std::int64_t>(trace.projects.size()));
      if (inserted) trace.projects.push_back(user);
      job.project = it->second;
    } else {
      const double u = static_cast<double>(SplitMix64(rng) >> 11) * 0x1.0p-53 * zipf_total;
      double acc = 0;
      job.project = options.projects - 1;
      for (int k = 0; k < options.projects; ++k) {
        acc += 1.0 / (k + 1);
        if (u < acc) {
          job.project = k;
          break;
        }
      }
    }
    trace.jobs.push_back(std::move(job));
  }
  std::stable_sort(trace.jobs.begin(), trace.jobs.end(),
                   [](const TraceJob& a, const TraceJob& b) { return a.submit < b.submit; });
  for (std::size_t i = 0; i < trace.jobs.size(); ++i)
    trace.jobs[i].id = static_cast<std::int64_t>(i);
  return trace;
}

}  // namespace qiusuo::sched
