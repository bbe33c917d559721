#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "sched/placement.h"
#include "sched/policy.h"

namespace qiusuo::sched {
namespace {

constexpr double kEps = 1e-9;

std::string Gpus(int n) { return std::to_string(n) + (n == 1 ? " GPU" : " GPUs"); }

// "40 s", "9 min": a wait still to come, for the queue's reasons.
std::string Seconds(Time seconds) {
  if (seconds < 120) return std::to_string(seconds) + " s";
  return std::to_string((seconds + 59) / 60) + " min";
}

// "45 min", "3 h": how long a job has waited, for the queue's reasons.
std::string Duration(Time seconds) {
  if (seconds < 3600) return std::to_string(seconds / 60) + " min";
  return std::to_string(seconds / 3600) + " h";
}

// Per-cycle facts every policy needs: free GPUs, allocation and demand per project.
struct Cycle {
  explicit Cycle(const SchedInput& in) : input(in), free(in.cluster) {
    for (const auto& r : in.running) {
      free.Take(r.placement);
      if (r.releasing) {
        releasing += r.placement.Gpus();
      } else {
        alloc[r.job.project] += r.placement.Gpus();
        demand[r.job.project] += r.placement.Gpus();
      }
    }
    for (const auto& j : in.pending) demand[j.project] += j.gpus;
  }

  double Weight(std::int64_t project, const PolicyConfig& config) const {
    auto it = input.projects.find(project);
    return ProjectWeight(it == input.projects.end() ? ProjectInfo{} : it->second, config.weights,
                         input.now);
  }

  double Usage(std::int64_t project) const {
    auto it = input.usage.project.find(project);
    return it == input.usage.project.end() ? 0.0 : it->second;
  }

  double MemberUsage(std::int64_t member) const {
    auto it = input.usage.member.find(member);
    return it == input.usage.member.end() ? 0.0 : it->second;
  }

  int Alloc(std::int64_t project) const {
    auto it = alloc.find(project);
    return it == alloc.end() ? 0 : it->second;
  }

  double Share(std::int64_t project) const {
    auto it = share.find(project);
    return it == share.end() ? 0.0 : it->second;
  }

  const SchedInput& input;
  FreeMap free;
  int releasing = 0;  // GPUs held by preempted jobs in their grace period
  std::unordered_map<std::int64_t, int> alloc;
  std::unordered_map<std::int64_t, double> demand;
  // Filled by the policy's Prepare: each project's share (entitlement or quota) and weight.
  std::unordered_map<std::int64_t, double> share;
  std::unordered_map<std::int64_t, double> weight;
  // Running jobs beyond their project's share (see BorrowingMask); computed once.
  std::vector<bool> borrowing;
};

// Where a pending job stands in a greedy policy's order, computed once per cycle.
struct OrderKey {
  int group = 0;  // lower first (e.g. within its share before borrowing)
  double primary = 0;
  double secondary = 0;
  Time submit = 0;
  std::int64_t id = 0;
  bool operator<(const OrderKey& o) const {
    if (group != o.group) return group < o.group;
    if (std::abs(primary - o.primary) > 1e-6) return primary < o.primary;
    if (std::abs(secondary - o.secondary) > 1e-6) return secondary < o.secondary;
    if (submit != o.submit) return submit < o.submit;
    return id < o.id;
  }
};

// Each project with demand: weight, demand, allocation, decayed usage and share (the
// policy's entitlement or quota; 0 for policies that have none).
void FillShares(const Cycle& cycle, const PolicyConfig& config, Decisions& out) {
  for (const auto& [project, demand] : cycle.demand) {
    auto& s = out.shares[project];
    s.demand = demand;
    s.weight = cycle.Weight(project, config);
    s.usage = cycle.Usage(project);
    s.allocated = cycle.Alloc(project);
    s.entitlement = cycle.Share(project);
  }
}

// Run time left by a job's limit; unknown without one.
Time ExpectedEnd(const RunningJob& r, Time now) {
  if (r.releasing) return now;
  if (!r.job.time_limit) return kNever;
  return std::max(now, r.started + *r.job.time_limit);
}

// ---- the greedy engine: order, place, reserve the head, backfill, maybe preempt ----

class GreedyPolicy : public Policy {
 public:
  explicit GreedyPolicy(PolicyConfig config) : config_(std::move(config)) {}

  Decisions Plan(const SchedInput& in) const override {
    Cycle cycle(in);
    Decisions out;
    Prepare(cycle, out);

    std::vector<std::pair<OrderKey, const Job*>> keyed;
    keyed.reserve(in.pending.size());
    for (const auto& j : in.pending) keyed.emplace_back(Key(j, cycle), &j);
    std::sort(keyed.begin(), keyed.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const Job*> order;
    order.reserve(keyed.size());
    for (const auto& [key, job] : keyed) order.push_back(job);

    std::vector<bool> victim(in.running.size(), false);
    int promised = 0;  // releasing GPUs already spoken for by waiting jobs
    std::optional<Time> shadow;
    int extra = 0;                   // GPUs the reserved job will not need at its shadow time
    int no_victims_for = INT32_MAX;  // a gang this large found no victims this cycle
    if (Preemptive()) cycle.borrowing = BorrowingMask(cycle);
    const bool any_borrowing =
        std::find(cycle.borrowing.begin(), cycle.borrowing.end(), true) != cycle.borrowing.end();

    for (const Job* job : order) {
      if (!in.cluster.nodes.empty() && job->gpus > in.cluster.TotalGpus()) {
        Explain(out, *job, [&] { return std::string("asks for more GPUs than the cluster has"); });
        continue;
      }
      std::string why;
      if (!Admissible(*job, cycle, why)) {
        Explain(out, *job, [&] { return std::string(why); });
        continue;
      }
      auto place = cycle.free.Find(job->gpus);
      const Time end = job->time_limit ? in.now + *job->time_limit : kNever;
      const bool backfill_ok = !shadow || end <= *shadow || job->gpus <= extra;
      if (place && backfill_ok) {
        if (shadow && end > *shadow) extra -= job->gpus;
        Start(*job, *place, cycle, out);
        continue;
      }
      // Preemption is for jobs that do not fit; one that fits but would delay the
      // reserved head just waits, even within its share: letting within-share jobs
      // jump the reservation starved large gangs. The job next in line that has waited
      // starvation_wait may preempt borrowers that declared no time limit, whatever its
      // size: the reservation alone would wait for them for ever.
      const bool within = MayPreempt(*job, cycle);
      const bool starving =
          PreemptsWhenStarving() && !shadow && in.now - job->queued >= config_.starvation_wait;
      const bool may_preempt = !place && (within || starving);
      if (may_preempt) {
        const int short_by = job->gpus - cycle.free.free_gpus();
        if (cycle.releasing - promised >= short_by && short_by > 0) {
          promised += short_by;
          Explain(out, *job, [&] {
            return std::string("waiting for " + Gpus(short_by) +
                               " being released by preempted jobs");
          });
          continue;
        }
        Time min_runtime_ends = kNever;
        std::vector<std::size_t> victims;
        if (job->gpus < no_victims_for) {
          victims = SelectVictims(*job, cycle, in, victim, !within, min_runtime_ends);
          if (victims.empty() && within) no_victims_for = job->gpus;
        }
        if (!victims.empty()) {
          int freed = 0;
          for (std::size_t idx : victims) {
            victim[idx] = true;
            const RunningJob& r = in.running[idx];
            out.preempts.push_back(r.job.id);
            cycle.alloc[r.job.project] -= r.placement.Gpus();
            cycle.releasing += r.placement.Gpus();
            freed += r.placement.Gpus();
          }
          promised += std::min(freed, job->gpus);
          Explain(out, *job, [&] {
            return std::string(within
                                   ? "within its project's share"
                                   : "next in line and waited " + Duration(in.now - job->queued)) +
                   ": preempting " + std::to_string(victims.size()) + " borrowing job(s)";
          });
          continue;
        }
        if (min_runtime_ends < kNever) {
          out.wake_at = std::min(out.wake_at, min_runtime_ends);
          Explain(out, *job, [&] {
            return std::string(within ? "within its project's share" : "next in line") +
                   ": borrowers become preemptible in " + Seconds(min_runtime_ends - in.now) +
                   " (their minimum runtime)";
          });
          if (!shadow) {
            Reserve(*job, cycle, in, victim, shadow, extra);
            out.reserved = job->id;
          }
          continue;
        }
      }
      if (!shadow) {
        if (PreemptsWhenStarving() && !place && !starving)
          out.wake_at = std::min(out.wake_at, job->queued + config_.starvation_wait);
        Reserve(*job, cycle, in, victim, shadow, extra);
        out.reserved = job->id;
        Explain(out, *job, [&] {
          return std::string("reserved next: waiting for " + Gpus(job->gpus) +
                             WhyShort(*job, cycle));
        });
        continue;
      }
      Explain(out, *job, [&] {
        return std::string(place ? "would delay the reserved job; waiting for " + Gpus(job->gpus)
                                 : "waiting for " + Gpus(job->gpus) + WhyShort(*job, cycle));
      });
      if (!config_.explain && cycle.free.free_gpus() == 0 && !any_borrowing) break;
    }
    FillShares(cycle, config_, out);
    return out;
  }

 protected:
  // Per-cycle preparation (entitlements, quotas); fills out.shares' entitlements.
  virtual void Prepare(Cycle& cycle, Decisions& out) const = 0;
  virtual OrderKey Key(const Job& job, const Cycle& cycle) const = 0;
  virtual bool Admissible(const Job&, const Cycle&, std::string&) const { return true; }
  // May `job` take GPUs from borrowing jobs of other projects?
  virtual bool MayPreempt(const Job&, const Cycle&) const { return false; }
  virtual bool Preemptive() const { return false; }
  // May the job next in line, once it has waited starvation_wait, preempt borrowers
  // that have no time limit?
  virtual bool PreemptsWhenStarving() const { return false; }
  virtual std::string WhyShort(const Job&, const Cycle& cycle) const {
    return "; " + Gpus(cycle.free.free_gpus()) + " free";
  }

  // Takes a callable so that no string is built unless explaining.
  template <typename Why>
  void Explain(Decisions& out, const Job& job, Why&& why) const {
    if (config_.explain) out.reasons[job.id] = why();
  }

  void Start(const Job& job, const Placement& place, Cycle& cycle, Decisions& out) const {
    cycle.free.Take(place);
    cycle.alloc[job.project] += job.gpus;
    out.starts.push_back({job.id, place});
  }

  // Jobs of a project beyond its share, oldest first within the share: with the
  // project's running jobs sorted by start, a job is borrowing when the running
  // total up to it exceeds the share.
  static std::vector<bool> BorrowingMask(const Cycle& cycle) {
    const SchedInput& in = cycle.input;
    std::vector<std::size_t> idx(in.running.size());
    std::iota(idx.begin(), idx.end(), 0);
    std::sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) {
      const auto& ra = in.running[a];
      const auto& rb = in.running[b];
      if (ra.started != rb.started) return ra.started < rb.started;
      return ra.job.id < rb.job.id;
    });
    std::unordered_map<std::int64_t, int> cumulative;
    std::vector<bool> borrowing(in.running.size(), false);
    for (std::size_t i : idx) {
      const auto& r = in.running[i];
      if (r.releasing) continue;
      cumulative[r.job.project] += r.placement.Gpus();
      borrowing[i] = cumulative[r.job.project] > cycle.Share(r.job.project) + kEps;
    }
    return borrowing;
  }

  // The smallest set of borrowing jobs (most-over-share project first, newest job
  // first) whose GPUs make a placement for `job`; empty if there is none.
  std::vector<std::size_t> SelectVictims(const Job& job, const Cycle& cycle, const SchedInput& in,
                                         const std::vector<bool>& already, bool unlimited_only,
                                         Time& min_runtime_ends) const {
    std::vector<std::size_t> candidates;
    for (std::size_t i = 0; i < in.running.size(); ++i) {
      const auto& r = in.running[i];
      if (already[i] || r.releasing || !cycle.borrowing[i] || r.job.project == job.project)
        continue;
      if (unlimited_only && r.job.time_limit) continue;
      if (in.now - r.started < config_.min_runtime) {
        min_runtime_ends = std::min(min_runtime_ends, r.started + config_.min_runtime);
        continue;
      }
      candidates.push_back(i);
    }
    auto over = [&](std::int64_t project) { return cycle.Alloc(project) - cycle.Share(project); };
    std::sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
      const auto& ra = in.running[a];
      const auto& rb = in.running[b];
      const double oa = over(ra.job.project), ob = over(rb.job.project);
      if (std::abs(oa - ob) > kEps) return oa > ob;
      if (ra.started != rb.started) return ra.started > rb.started;
      return ra.job.id > rb.job.id;
    });
    auto fits_without = [&](const std::vector<std::size_t>& set) {
      FreeMap trial = cycle.free;
      for (std::size_t i : set) trial.Give(in.running[i].placement);
      return trial.Find(job.gpus).has_value();
    };
    std::vector<std::size_t> chosen;
    bool fits = false;
    for (std::size_t i : candidates) {
      chosen.push_back(i);
      if (fits_without(chosen)) {
        fits = true;
        break;
      }
    }
    if (!fits) return {};
    // Drop any victim the placement does not need (earliest chosen first).
    for (std::size_t k = 0; k < chosen.size() && chosen.size() > 1;) {
      std::vector<std::size_t> without = chosen;
      without.erase(without.begin() + static_cast<std::ptrdiff_t>(k));
      if (fits_without(without))
        chosen = std::move(without);
      else
        ++k;
    }
    return chosen;
  }

  // EASY reservation for the head job by GPU count: the time enough GPUs will be
  // free (shadow) and how many of them it will not need then (extra).
  void Reserve(const Job& job, const Cycle& cycle, const SchedInput& in,
               const std::vector<bool>& victim, std::optional<Time>& shadow, int& extra) const {
    std::vector<std::pair<Time, int>> ends;
    for (std::size_t i = 0; i < in.running.size(); ++i) {
      const auto& r = in.running[i];
      ends.emplace_back(victim[i] ? in.now : ExpectedEnd(r, in.now), r.placement.Gpus());
    }
    std::sort(ends.begin(), ends.end());
    int avail = cycle.free.free_gpus();
    shadow = kNever;
    extra = 0;
    for (const auto& [end, gpus] : ends) {
      avail += gpus;
      if (avail >= job.gpus) {
        shadow = end;
        extra = avail - job.gpus;
        return;
      }
    }
  }

  PolicyConfig config_;
};

// ---- uncapped: dynamic weighted fair share, decayed usage, preemption of borrowers ----

class Uncapped final : public GreedyPolicy {
 public:
  using GreedyPolicy::GreedyPolicy;
  std::string_view name() const override { return "uncapped"; }

 protected:
  void Prepare(Cycle& cycle, Decisions&) const override {
    std::vector<Claim> claims;
    claims.reserve(cycle.demand.size());
    for (const auto& [project, demand] : cycle.demand) {
      claims.push_back({project, cycle.Weight(project, config_), demand});
    }
    std::sort(claims.begin(), claims.end(),
              [](const Claim& a, const Claim& b) { return a.project < b.project; });
    cycle.share = WaterFill(cycle.input.cluster.TotalGpus(), claims);
    for (const auto& c : claims) cycle.weight[c.project] = c.weight;
  }

  static bool WithinShare(const Job& job, const Cycle& cycle) {
    return cycle.Alloc(job.project) + job.gpus <= cycle.Share(job.project) + kEps;
  }

  // Within-share jobs first; then projects by decayed usage per unit of weight, members
  // by their own decayed usage, then arrival.
  OrderKey Key(const Job& job, const Cycle& cycle) const override {
    return {WithinShare(job, cycle) ? 0 : 1,
            cycle.Usage(job.project) / cycle.weight.at(job.project), cycle.MemberUsage(job.owner),
            job.submit, job.id};
  }

  bool MayPreempt(const Job& job, const Cycle& cycle) const override {
    return WithinShare(job, cycle);
  }
  bool Preemptive() const override { return true; }
  bool PreemptsWhenStarving() const override { return true; }

  std::string WhyShort(const Job& job, const Cycle& cycle) const override {
    if (WithinShare(job, cycle)) return "; " + Gpus(cycle.free.free_gpus()) + " free";
    char share[32];
    std::snprintf(share, sizeof share, "%.1f", cycle.Share(job.project));
    return "; project over its share (" + std::to_string(cycle.Alloc(job.project)) +
           " GPUs running, share " + share + ")";
  }
};

// ---- baselines in the same engine ----

OrderKey ByArrival(const Job& job) { return {0, 0, 0, job.submit, job.id}; }

class Fifo final : public GreedyPolicy {
 public:
  using GreedyPolicy::GreedyPolicy;
  std::string_view name() const override { return "fifo"; }

 protected:
  void Prepare(Cycle&, Decisions&) const override {}
  OrderKey Key(const Job& job, const Cycle&) const override { return ByArrival(job); }
};

// Static per-project quotas proportional to weight over every project the lab knows.
class StaticQuota : public GreedyPolicy {
 public:
  using GreedyPolicy::GreedyPolicy;

 protected:
  void Prepare(Cycle& cycle, Decisions&) const override {
    double total_weight = 0;
    std::vector<std::pair<std::int64_t, double>> weights;
    for (const auto& [project, info] : cycle.input.projects) {
      weights.emplace_back(project, cycle.Weight(project, config_));
    }
    for (const auto& [project, demand] : cycle.demand) {
      if (!cycle.input.projects.contains(project))
        weights.emplace_back(project, cycle.Weight(project, config_));
    }
    for (const auto& [p, w] : weights) total_weight += w;
    for (const auto& [p, w] : weights) {
      cycle.share[p] = cycle.input.cluster.TotalGpus() * w / total_weight;
      cycle.weight[p] = w;
    }
  }
  OrderKey Key(const Job& job, const Cycle&) const override { return ByArrival(job); }
};

// Slurm GrpTRES or Kueue without borrowing: a project never exceeds its quota (a
// job larger than the whole quota may run when the project has nothing running).
class Quota final : public StaticQuota {
 public:
  using StaticQuota::StaticQuota;
  std::string_view name() const override { return "quota"; }

 protected:
  bool Admissible(const Job& job, const Cycle& cycle, std::string& why) const override {
    const int alloc = cycle.Alloc(job.project);
    if (alloc == 0 || alloc + job.gpus <= cycle.Share(job.project) + kEps) return true;
    why = "project at its quota (" + std::to_string(alloc) + " of " +
          std::to_string(static_cast<int>(cycle.Share(job.project))) + " GPUs)";
    return false;
  }
};

// Kueue-style nominal quota with borrowing of idle GPUs and reclaim by preemption.
class Borrow final : public StaticQuota {
 public:
  using StaticQuota::StaticQuota;
  std::string_view name() const override { return "borrow"; }

 protected:
  // Jobs within their nominal quota are admitted before borrowers (as Kueue does);
  // otherwise a reclaimed borrower, older in FIFO order, would take its GPUs back.
  OrderKey Key(const Job& job, const Cycle& cycle) const override {
    OrderKey key = ByArrival(job);
    key.group = MayPreempt(job, cycle) ? 0 : 1;
    return key;
  }
  bool MayPreempt(const Job& job, const Cycle& cycle) const override {
    return cycle.Alloc(job.project) + job.gpus <= cycle.Share(job.project) + kEps;
  }
  bool Preemptive() const override { return true; }
};

// ---- priority engines: jobs run in key order; a waiting job preempts lower ones ----

class PriorityPolicy : public Policy {
 public:
  explicit PriorityPolicy(PolicyConfig config) : config_(std::move(config)) {}

  Decisions Plan(const SchedInput& in) const override {
    Cycle cycle(in);
    Decisions out;
    std::vector<std::pair<double, const Job*>> order;
    order.reserve(in.pending.size());
    for (const auto& j : in.pending) order.emplace_back(Key(j, nullptr, in.now), &j);
    std::sort(order.begin(), order.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first < b.first;
      if (a.second->submit != b.second->submit) return a.second->submit < b.second->submit;
      return a.second->id < b.second->id;
    });
    std::vector<double> running_key(in.running.size());
    for (std::size_t i = 0; i < in.running.size(); ++i) {
      running_key[i] = Key(in.running[i].job, &in.running[i], in.now);
    }
    std::vector<bool> victim(in.running.size(), false);
    int promised = 0;
    int no_victims_for = INT32_MAX;
    for (const auto& [key, job] : order) {
      // Work-conserving: whatever fits starts, highest priority first.
      if (auto place = cycle.free.Find(job->gpus)) {
        cycle.free.Take(*place);
        cycle.alloc[job->project] += job->gpus;
        out.starts.push_back({job->id, *place});
        continue;
      }
      const int short_by = job->gpus - cycle.free.free_gpus();
      if (short_by > 0 && cycle.releasing - promised >= short_by) {
        promised += short_by;
        if (config_.explain) out.reasons[job->id] = "waiting for GPUs being released";
        continue;
      }
      if (job->gpus >= no_victims_for) {
        if (config_.explain) out.reasons[job->id] = "waiting for " + Gpus(job->gpus);
        continue;
      }
      // Lower-priority runs old enough to stop, lowest priority and newest first,
      // until a placement for this gang appears.
      std::vector<std::size_t> candidates;
      for (std::size_t i = 0; i < in.running.size(); ++i) {
        const auto& r = in.running[i];
        if (victim[i] || r.releasing || running_key[i] <= key) continue;
        if (in.now - r.started < config_.min_runtime) {
          out.wake_at = std::min(out.wake_at, r.started + config_.min_runtime);
          continue;
        }
        candidates.push_back(i);
      }
      std::sort(candidates.begin(), candidates.end(), [&](std::size_t a, std::size_t b) {
        if (running_key[a] != running_key[b]) return running_key[a] > running_key[b];
        if (in.running[a].started != in.running[b].started)
          return in.running[a].started > in.running[b].started;
        return in.running[a].job.id > in.running[b].job.id;
      });
      FreeMap trial = cycle.free;
      std::vector<std::size_t> chosen;
      bool fits = false;
      for (std::size_t i : candidates) {
        trial.Give(in.running[i].placement);
        chosen.push_back(i);
        if (trial.Find(job->gpus)) {
          fits = true;
          break;
        }
      }
      if (!fits) {
        no_victims_for = job->gpus;
        if (config_.explain) out.reasons[job->id] = "waiting for " + Gpus(job->gpus);
        continue;
      }
      for (std::size_t i : chosen) {
        victim[i] = true;
        out.preempts.push_back(in.running[i].job.id);
        cycle.releasing += in.running[i].placement.Gpus();
        cycle.alloc[in.running[i].job.project] -= in.running[i].placement.Gpus();
      }
      promised += job->gpus;
      if (config_.explain)
        out.reasons[job->id] =
            "higher priority: preempting " + std::to_string(chosen.size()) + " job(s)";
    }
    WakeAtNextPriorityChange(in, out);
    FillShares(cycle, config_, out);
    return out;
  }

 protected:
  // Lower runs first.
  virtual double Key(const Job& job, const RunningJob* running, Time now) const = 0;
  virtual void WakeAtNextPriorityChange(const SchedInput&, Decisions&) const {}

  PolicyConfig config_;
};

// Tiresias (NSDI '19), discretized two-dimensional least-attained-service: queues by
// GPU-seconds received; within a queue, first come first served.
class Tiresias final : public PriorityPolicy {
 public:
  using PriorityPolicy::PriorityPolicy;
  std::string_view name() const override { return "tiresias"; }

 protected:
  static double Attained(const Job& job, const RunningJob* r, Time now) {
    double a = static_cast<double>(job.attained);
    if (r) a += static_cast<double>(r->placement.Gpus()) * static_cast<double>(now - r->started);
    return a;
  }

  double Key(const Job& job, const RunningJob* r, Time now) const override {
    const double attained = Attained(job, r, now);
    int queue = 0;
    while (queue < static_cast<int>(config_.tiresias_thresholds.size()) &&
           attained >= config_.tiresias_thresholds[queue]) {
      ++queue;
    }
    return queue;
  }

  // Plan again when a running job crosses into a lower queue.
  void WakeAtNextPriorityChange(const SchedInput& in, Decisions& out) const override {
    for (const auto& r : in.running) {
      if (r.releasing) continue;
      const double attained = Attained(r.job, &r, in.now);
      for (double threshold : config_.tiresias_thresholds) {
        if (attained < threshold) {
          const double secs = (threshold - attained) / std::max(1, r.placement.Gpus());
          out.wake_at = std::min(out.wake_at, in.now + static_cast<Time>(std::ceil(secs)));
          break;
        }
      }
    }
  }
};

// Shortest remaining time first with perfect knowledge of durations: a reference.
class SrtfOracle final : public PriorityPolicy {
 public:
  using PriorityPolicy::PriorityPolicy;
  std::string_view name() const override { return "srtf-oracle"; }

 protected:
  double Key(const Job& job, const RunningJob* r, Time now) const override {
    double remaining = static_cast<double>(job.remaining_hint.value_or(kNever));
    if (r) remaining -= static_cast<double>(now - r->started);
    return remaining;
  }
};

}  // namespace

std::unique_ptr<Policy> MakePolicy(std::string_view name, const PolicyConfig& config) {
  if (name == "uncapped") return std::make_unique<Uncapped>(config);
  if (name == "fifo") return std::make_unique<Fifo>(config);
  if (name == "quota") return std::make_unique<Quota>(config);
  if (name == "borrow") return std::make_unique<Borrow>(config);
  if (name == "tiresias") return std::make_unique<Tiresias>(config);
  if (name == "srtf-oracle") return std::make_unique<SrtfOracle>(config);
  return nullptr;
}

std::vector<std::string> PolicyNames() {
  return {"uncapped", "fifo", "quota", "borrow", "tiresias", "srtf-oracle"};
}

}  // namespace qiusuo::sched
