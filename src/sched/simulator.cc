#include "sched/simulator.h"

#include <algorithm>
#include <cmath>
#include <queue>

namespace qiusuo::sched {
namespace {

enum class EventKind { kFinish, kRelease };

struct Event {
  Time at;
  EventKind kind;
  std::int64_t job;
  int version;
  bool operator>(const Event& o) const {
    if (at != o.at) return at > o.at;
    if (kind != o.kind) return kind > o.kind;
    return job > o.job;
  }
};

struct JobState {
  Job job;
  Time work_left = 0;
  Time run_start = 0;
  Time productive_from = 0;  // end of the restart delay of the current run
  Time finish_at = 0;
  int version = 0;
  int slot = -1;  // index in running or pending
  bool running = false;
};

struct Segment {
  Time from, to;
  int busy;
  int queued;
  std::vector<int> project_gpus;
};

}  // namespace

SimResult Simulate(const std::vector<TraceJob>& trace, int project_count, const SimConfig& config,
                   const Policy& policy, const ProgressFn& progress) {
  SimResult result;
  result.policy = std::string(policy.name());
  const std::size_t n = trace.size();
  result.jobs.resize(n);
  if (n == 0) return result;
  std::vector<JobState> state(n);
  for (std::size_t i = 0; i < n; ++i) {
    const TraceJob& t = trace[i];
    JobState& s = state[i];
    s.job.id = static_cast<std::int64_t>(i);
    s.job.owner = t.project;
    s.job.project = t.project;
    s.job.gpus = t.gpus;
    s.job.submit = t.submit;
    s.job.queued = t.submit;
    const double limit =
        std::ceil(config.time_limit_factor * static_cast<double>(t.duration) / 3600.0) * 3600.0;
    s.job.time_limit = static_cast<Time>(limit);
    s.work_left = t.duration;
    result.jobs[i] = {s.job.id, t.project, t.gpus, t.submit, -1, -1, t.duration, 0, 0};
  }

  std::vector<RunningJob> running;
  std::vector<std::int64_t> running_ids;
  std::vector<Job> pending;
  std::vector<std::int64_t> pending_ids;
  auto add_pending = [&](std::int64_t id) {
    state[id].slot = static_cast<int>(pending.size());
    state[id].running = false;
    Job j = state[id].job;
    j.remaining_hint = state[id].work_left + (j.restarts > 0 ? config.restart_delay : 0);
    pending.push_back(j);
    pending_ids.push_back(id);
  };
  auto remove_pending = [&](std::int64_t id) {
    const int slot = state[id].slot;
    pending[slot] = pending.back();
    pending_ids[slot] = pending_ids.back();
    state[pending_ids[slot]].slot = slot;
    pending.pop_back();
    pending_ids.pop_back();
  };
  auto remove_running = [&](std::int64_t id) {
    const int slot = state[id].slot;
    running[slot] = std::move(running.back());
    running_ids[slot] = running_ids.back();
    state[running_ids[slot]].slot = slot;
    running.pop_back();
    running_ids.pop_back();
    state[id].running = false;
  };

  std::priority_queue<Event, std::vector<Event>, std::greater<>> events;
  UsageTable usage;
  std::vector<Segment> segments;
  std::vector<int> project_gpus(static_cast<std::size_t>(std::max(project_count, 1)), 0);
  int busy = 0;
  std::size_t next_arrival = 0;
  std::size_t finished = 0;
  Time now = trace.front().submit;
  Time wake_at = kNever;
  result.first_submit = now;
  std::size_t last_reported = 0;

  // A policy that keeps preempting without letting jobs finish would loop forever;
  // far more cycles than any sane replay needs ends the run as stalled instead.
  const std::int64_t max_cycles = 1000 * static_cast<std::int64_t>(n) + 1'000'000;
  while (finished < n) {
    if (result.cycles > max_cycles) {
      result.stalled = true;
      break;
    }
    Time next = kNever;
    if (next_arrival < n) next = trace[next_arrival].submit;
    while (!events.empty()) {
      const Event& e = events.top();
      const JobState& s = state[e.job];
      if (e.version != s.version || !s.running) {
        events.pop();
        continue;
      }
      next = std::min(next, e.at);
      break;
    }
    next = std::min(next, wake_at);
    if (next >= kNever) {
      result.stalled = true;
      break;
    }
    if (next > now) {
      AdvanceUsage(usage, running, now, next, config.policy.half_life);
      segments.push_back({now, next, busy, static_cast<int>(pending.size()), project_gpus});
      result.busy_gpu_seconds += static_cast<double>(busy) * static_cast<double>(next - now);
      now = next;
    }
    if (wake_at <= now) wake_at = kNever;

    while (next_arrival < n && trace[next_arrival].submit <= now)
      add_pending(static_cast<std::int64_t>(next_arrival++));
    while (!events.empty() && events.top().at <= now) {
      const Event e = events.top();
      events.pop();
      JobState& s = state[e.job];
      if (e.version != s.version || !s.running) continue;
      const int gpus = s.job.gpus;
      remove_running(e.job);
      busy -= gpus;
      project_gpus[s.job.project] -= gpus;
      if (e.kind == EventKind::kFinish) {
        result.jobs[e.job].finish = now;
        result.last_finish = std::max(result.last_finish, now);
        ++finished;
      } else {
        s.job.queued = now;
        add_pending(e.job);
      }
    }

    const SchedInput input{config.cluster, running, pending, config.projects, usage, now};
    const Decisions plan = policy.Plan(input);
    ++result.cycles;

    for (std::int64_t id : plan.preempts) {
      JobState& s = state[id];
      if (!s.running) continue;
      RunningJob& r = running[s.slot];
      if (r.releasing || s.finish_at <= now + config.grace) continue;  // done before it could stop
      r.releasing = true;
      r.job.attained += static_cast<Time>(s.job.gpus) * (now - s.run_start);
      const Time productive = std::max<Time>(0, now - s.productive_from);
      const Time saved = config.checkpoint_interval > 0
                             ? productive / config.checkpoint_interval * config.checkpoint_interval
                             : 0;
      const Time wasted = (productive - saved) + (s.productive_from - s.run_start) + config.grace;
      s.work_left -= saved;
      s.job.attained = r.job.attained;
      ++s.job.restarts;
      ++s.version;
      auto& outcome = result.jobs[id];
      ++outcome.preemptions;
      outcome.lost_gpu_seconds += static_cast<double>(wasted) * s.job.gpus;
      ++result.preemptions;
      result.lost_gpu_seconds += static_cast<double>(wasted) * s.job.gpus;
      // Stays running (holding its GPUs) until the grace period ends.
      s.finish_at = now + config.grace;
      events.push({s.finish_at, EventKind::kRelease, id, s.version});
    }
    for (const auto& start : plan.starts) {
      JobState& s = state[start.job];
      remove_pending(start.job);
      s.running = true;
      s.run_start = now;
      s.productive_from = now + (s.job.restarts > 0 ? config.restart_delay : 0);
      s.finish_at = s.productive_from + s.work_left;
      ++s.version;
      s.slot = static_cast<int>(running.size());
      RunningJob r{s.job, start.placement, now, false};
      r.job.remaining_hint = s.finish_at - now;
      running.push_back(std::move(r));
      running_ids.push_back(start.job);
      busy += s.job.gpus;
      project_gpus[s.job.project] += s.job.gpus;
      if (result.jobs[start.job].first_start < 0) result.jobs[start.job].first_start = now;
      events.push({s.finish_at, EventKind::kFinish, start.job, s.version});
    }
    if (plan.wake_at > now) wake_at = std::min(wake_at, plan.wake_at);

    if (progress && finished - last_reported >= n / 200 + 1) {
      last_reported = finished;
      progress(static_cast<double>(finished) / static_cast<double>(n));
    }
  }
  if (progress) progress(1.0);

  // Fold the segments into fixed-width bins for the report.
  const Time span = std::max<Time>(1, result.last_finish - result.first_submit);
  const int bins = std::max(1, config.timeline_bins);
  const double width = static_cast<double>(span) / bins;
  result.timeline.resize(bins);
  for (int b = 0; b < bins; ++b) {
    result.timeline[b].start = result.first_submit + static_cast<Time>(b * width);
    result.timeline[b].project_gpus.assign(project_gpus.size(), 0.0);
  }
  for (const auto& seg : segments) {
    Time from = seg.from;
    while (from < seg.to) {
      const int b = std::min(
          bins - 1, static_cast<int>(static_cast<double>(from - result.first_submit) / width));
      const Time bin_end =
          std::max(from + 1, result.first_submit + static_cast<Time>((b + 1) * width));
      const Time to = b == bins - 1 ? seg.to : std::min(seg.to, bin_end);
      const double frac = static_cast<double>(to - from) / width;
      auto& bin = result.timeline[b];
      bin.busy_gpus += seg.busy * frac;
      bin.queued += seg.queued * frac;
      for (std::size_t p = 0; p < seg.project_gpus.size(); ++p)
        bin.project_gpus[p] += seg.project_gpus[p] * frac;
      from = to;
    }
  }
  return result;
}

}  // namespace qiusuo::sched
