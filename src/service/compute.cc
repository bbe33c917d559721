#include "service/compute.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <unordered_map>

#include "core/validate.h"
#include "sched/fair_share.h"
#include "service/record.h"

namespace qiusuo {
namespace {

bool ValidEnvName(const std::string& name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

// Rule 6: a finished job, failed and cancelled ones too, is an experiment on the
// record, with its GPU-hours.
Status RememberJob(Tx& tx, const Job& job) {
  Contribution c;
  c.at = job.finished_at.value_or(job.submitted_at);
  c.actor = "qiusuo";
  c.contributor = MemberContributor(job.owner_handle);
  c.kind = "investigation";
  c.project = job.project.value;
  c.quantity_milli = job.attained_gpu_s * 1000 / 3600;
  c.unit = "gpu-hours";
  c.evidence = "job:" + std::to_string(job.id.value);
  c.note = "job " + job.name + " " + std::string(JobStateName(job.state)) +
           (job.reason.empty() ? "" : " (" + job.reason + ")") +
           (job.run > 0 ? " after " + std::to_string(job.run) + " restart(s)" : "");
  QS_TRY(AppendContribution(tx, std::move(c)));
  return {};
}

// One transaction for a whole pass's changes, however many; jobs that ended are
// recorded in the ledger in the same transaction.
Status UpdateJobs(Store& store, const std::vector<const Job*>& jobs) {
  if (jobs.empty()) return {};
  return store.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    for (const Job* job : jobs) {
      QS_TRY_STATUS(tx.UpdateJob(*job));
      if (IsFinal(job->state)) QS_TRY_STATUS(RememberJob(tx, *job));
    }
    return {};
  });
}

// Moves the job by `event`, through the one state machine (core/job.h). Returns the
// phase it left.
Result<JobPhase> Step(Job& job, JobEvent event) {
  const JobPhase from = job.phase();
  const JobPhase to = QS_TRY(NextJobPhase(from, event));
  job.state = to.state;
  job.stopping = to.stop;
  return from;
}

// How a run ended, as the job's event, and in words for the job's record should it
// end the job.
std::pair<JobEvent, std::string> EventOf(const RunStatus& st) {
  const std::string note = st.note.empty() ? "" : " (" + st.note + ")";
  if (st.state == RunStatus::State::kLost) {
    if (st.never_ran) return {JobEvent::kRunNeverRan, st.note};
    return {JobEvent::kRunLost, st.reason + note};
  }
  if (st.state == RunStatus::State::kInterrupted)
    return {JobEvent::kRunInterrupted, st.reason + note};
  switch (st.end) {
    case RunEnd::kFailedToStart:
      return {JobEvent::kRunCouldNotStart, st.reason + note};
    case RunEnd::kTimeLimit:
      return {JobEvent::kRunFailed, "stopped at its time limit" + note};
    case RunEnd::kExited:
    case RunEnd::kStopped:
      break;
  }
  if (st.exit_code == 0) return {JobEvent::kRunSucceeded, "exited 0" + note};
  return {JobEvent::kRunFailed, (st.signal ? "killed by signal " + std::to_string(st.signal)
                                           : "exited " + std::to_string(st.exit_code)) +
                                    note};
}

// The executor's machines, and which of them each GPU number is on.
struct Topology {
  std::vector<ExecNode> nodes;
  std::unordered_map<int, int> node_of;  // GPU number -> index into nodes
  int total = 0;
};

Topology TopologyOf(std::vector<ExecNode> nodes) {
  Topology t;
  t.nodes = std::move(nodes);
  for (std::size_t node_idx = 0; node_idx < t.nodes.size(); ++node_idx) {
    for (int g : t.nodes[node_idx].gpus) t.node_of[g] = static_cast<int>(node_idx);
    t.total += static_cast<int>(t.nodes[node_idx].gpus.size());
  }
  return t;
}

// The nodes `gpus` are on, each with how many, in the order the GPUs list them.
std::vector<std::pair<std::string, int>> NodesOf(const Topology& t, const std::vector<int>& gpus) {
  std::vector<std::pair<std::string, int>> out;
  for (int g : gpus) {
    auto it = t.node_of.find(g);
    const std::string name = it == t.node_of.end() ? "?" : t.nodes[it->second].name;
    if (out.empty() || out.back().first != name) {
      out.emplace_back(name, 1);
    } else {
      ++out.back().second;
    }
  }
  return out;
}

// A job's env values are its owner's secrets: everyone else sees the names only.
Job ForViewer(const Caller& viewer, Job job) {
  if (job.owner == viewer.id) return job;
  for (auto& [name, value] : job.env) value = std::string(kHiddenEnvValue);
  return job;
}

Result<Job> RequireJob(Tx& tx, JobId id) {
  auto job = QS_TRY(tx.FindJob(id));
  if (!job) return NotFound("there is no job " + std::to_string(id.value));
  return *job;
}

}  // namespace

Compute::Compute(Store& store, const Clock& clock, Executor& executor, ComputeConfig config)
    : store_(store), clock_(clock), executor_(executor), config_(std::move(config)) {
  config_.policy.explain = true;
  policy_ = sched::MakePolicy("uncapped", config_.policy);
  executor_.OnChange([this] { Kick(); });
}

Compute::~Compute() {
  executor_.OnChange(nullptr);
  StopLoop();
}

Result<Job> Compute::Submit(const Caller& caller, SubmitRequest req) {
  const int total = static_cast<int>(AllGpus(executor_.Nodes()).size());
  if (req.gpus < 1) return InvalidArgument("gpus", "a job needs at least 1 GPU");
  if (req.gpus > total) {
    return InvalidArgument("gpus", "the job asks for " + std::to_string(req.gpus) +
                                       " GPUs but the cluster has " + std::to_string(total) +
                                       "; any number up to the whole cluster is fine");
  }
  if (req.argv.empty() || req.argv[0].empty())
    return InvalidArgument("argv", "give the command to run");
  if (req.time_limit_s && (*req.time_limit_s <= 0 || *req.time_limit_s > kMaxTimeLimitS)) {
    return InvalidArgument("time_limit_s",
                           "a time limit is a positive number of seconds, at most " +
                               std::to_string(kMaxTimeLimitS) +
                               " (366 days); leave it out for no limit");
  }
  if (req.workdir.empty() || req.workdir[0] != '/') {
    return InvalidArgument("workdir", "workdir must be an absolute path on the server");
  }
  for (const auto& [k, v] : req.env) {
    if (!ValidEnvName(k))
      return InvalidArgument("env", "'" + k + "' is not a variable name (letters, digits, _)");
  }
  if (req.name.empty()) req.name = std::filesystem::path(req.argv[0]).filename().string();
  QS_TRY_STATUS(ValidateTitle("name", req.name));
  // What the job stores: its command, environment, directory and name.
  std::size_t spec_bytes = req.name.size() + req.workdir.size();
  for (const auto& arg : req.argv) spec_bytes += arg.size() + 1;
  for (const auto& [k, v] : req.env) spec_bytes += k.size() + v.size() + 2;
  if (spec_bytes > config_.limits.job_spec_bytes) {
    return Fail(ErrorCode::kTooLarge,
                "the job's argv, env, workdir and name are " + std::to_string(spec_bytes) +
                    " bytes; the lab's limit is " + std::to_string(config_.limits.job_spec_bytes) +
                    " bytes (limit_job_spec_bytes in qiusuo.toml); pass large inputs as files",
                "argv");
  }
  Job out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto project = QS_TRY(tx.FindProject(req.project));
    if (!project) return NotFound("there is no project " + std::to_string(req.project.value));
    auto membership = QS_TRY(tx.FindMembership(req.project, caller.id));
    if (!membership || membership->state != MembershipState::kActive) {
      return PermissionDenied("only members of project " + std::to_string(req.project.value) +
                              " submit jobs to it; apply to join (qiusuo project apply " +
                              std::to_string(req.project.value) + ")");
    }
    // How many jobs wait, never how many GPUs they ask for (rule 3).
    const std::int64_t pending = QS_TRY(tx.CountPendingJobs(caller.id));
    if (pending >= config_.limits.pending_jobs) {
      return InvalidArgument(
          "", "you have " + std::to_string(pending) +
                  " jobs waiting to start; the lab's limit is " +
                  std::to_string(config_.limits.pending_jobs) +
                  " pending jobs per member (limit_pending_jobs in qiusuo.toml). Submit more "
                  "as these start, or cancel some (qiusuo cancel)");
    }
    Job j;
    j.owner = caller.id;
    j.project = req.project;
    j.name = req.name;
    j.gpus = req.gpus;
    j.time_limit_s = req.time_limit_s;
    j.workdir = req.workdir;
    j.env = req.env;
    j.argv = req.argv;
    j.submitted_at = clock_.Now();
    j.queued_at = j.submitted_at;
    const JobId id = QS_TRY(tx.InsertJob(j));
    out = QS_TRY(RequireJob(tx, id));
    return {};
  }));
  Kick();
  return out;
}

Result<Job> Compute::GetJob(const Caller& caller, JobId id) {
  return ForViewer(caller, QS_TRY(Read(store_, [&](Tx& tx) { return RequireJob(tx, id); })));
}

Result<std::vector<JobNote>> Compute::Notes(const Caller&, JobId id) {
  return Read(store_, [&](Tx& tx) -> Result<std::vector<JobNote>> {
    QS_TRY(RequireJob(tx, id));
    return tx.ListJobNotes(id);
  });
}

Result<Listing<Job>> Compute::ListJobs(const Caller& caller, std::optional<ProjectId> project,
                                       Page page) {
  page.limit = std::clamp(page.limit, 1, 200);
  auto items = QS_TRY(Read(store_, [&](Tx& tx) {
    return tx.ListJobs(project, {page.limit + 1, page.before});
  }));
  Listing<Job> out;
  if (static_cast<int>(items.size()) > page.limit) {
    items.resize(page.limit);
    out.next_before = items.back().id.value;
  }
  for (auto& job : items) job = ForViewer(caller, std::move(job));
  out.items = std::move(items);
  return out;
}

std::string Compute::WaitingReason(const Job& j) const {
  if (IsWaiting(j.state)) {
    auto it = reasons_.find(j.id.value);
    return it != reasons_.end() ? it->second : "waiting for the next scheduling pass";
  }
  if (j.stopping == JobStop::kCancel) return "cancelling";
  if (j.stopping == JobStop::kPreempt) return "being preempted (grace period)";
  return "";
}

Result<std::vector<QueueEntry>> Compute::Queue(const Caller& caller) {
  auto active = QS_TRY(Read(store_, [](Tx& tx) { return tx.ListActiveJobs(); }));
  std::vector<QueueEntry> out;
  std::lock_guard lock(view_mu_);
  for (auto& j : active) {
    std::string reason = WaitingReason(j);
    out.push_back({ForViewer(caller, std::move(j)), std::move(reason)});
  }
  return out;
}

Result<Listing<QueueEntry>> Compute::QueuePage(const Caller& caller, PageAfter page) {
  page.limit = std::clamp(page.limit, 1, 200);
  auto active = QS_TRY(Read(store_, [&](Tx& tx) {
    return tx.ListActiveJobsPage({page.limit + 1, std::max<std::int64_t>(0, page.after)});
  }));
  Listing<QueueEntry> out;
  if (static_cast<int>(active.size()) > page.limit) {
    active.resize(page.limit);
    out.next_before = active.back().id.value;
  }
  std::lock_guard lock(view_mu_);
  for (auto& j : active) {
    std::string reason = WaitingReason(j);
    out.items.push_back({ForViewer(caller, std::move(j)), std::move(reason)});
  }
  return out;
}

Result<Job> Compute::Cancel(const Caller& caller, JobId id) {
  std::lock_guard tick_lock(tick_mu_);
  Job job;
  bool stop_run = false;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    job = QS_TRY(RequireJob(tx, id));
    if (job.owner != caller.id && !caller.steward) {
      return PermissionDenied("only the job's owner (@" + job.owner_handle +
                              ") or a steward can cancel it");
    }
    if (IsFinal(job.state))
      return FailedPrecondition("job " + std::to_string(id.value) + " is " +
                                std::string(JobStateName(job.state)) + " already");
    QS_TRY(Step(job, JobEvent::kCancel));
    if (job.state == JobState::kCancelled) {  // it was waiting
      job.finished_at = clock_.Now();
      job.reason = "cancelled by @" + caller.handle + " before it ran" + (job.run ? " again" : "");
      QS_TRY_STATUS(tx.UpdateJob(job));
      return RememberJob(tx, job);
    }
    // Running: it is cancelled when its run has ended.
    job.reason = "cancelled by @" + caller.handle;
    stop_run = true;
    return tx.UpdateJob(job);
  }));
  if (stop_run) {
    stops_sent_.insert({job.id.value, job.run});
    QS_TRY_STATUS(executor_.Stop(job.id.value, job.run));
  }
  Kick();
  return ForViewer(caller, std::move(job));
}

Status Compute::AddNote(const Caller& caller, JobId id, JobOutcome outcome,
                        const std::string& text) {
  if (text.empty()) return InvalidArgument("text", "say what was learned");
  QS_TRY_STATUS(CheckSize("text", text.size(), config_.limits.text_bytes, "limit_text_bytes"));
  QS_TRY_STATUS(ValidateText("text", text, config_.limits.text_bytes));
  return store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const Job job = QS_TRY(RequireJob(tx, id));
    auto m = QS_TRY(tx.FindMembership(job.project, caller.id));
    if (job.owner != caller.id && (!m || m->state != MembershipState::kActive)) {
      return PermissionDenied("notes on a job come from its owner or the project's members");
    }
    const UnixSeconds now = clock_.Now();
    QS_TRY_STATUS(tx.InsertJobNote({0, id, caller.handle, outcome, text, now}, caller.id));
    Contribution c;
    c.at = now;
    c.actor = caller.handle;
    c.contributor = MemberContributor(caller.handle);
    c.kind = "formal-analysis";
    c.project = job.project.value;
    c.evidence = "job:" + std::to_string(id.value);
    c.note = std::string(JobOutcomeName(outcome)).append(": ").append(text);
    QS_TRY(AppendContribution(tx, std::move(c)));
    return {};
  });
}

Result<ProjectBoost> Compute::Boost(const Caller& caller, ProjectId project, double factor,
                                    UnixSeconds expires_at, const std::string& reason) {
  if (!caller.steward)
    return PermissionDenied("only stewards grant boosts (and every boost is public)");
  if (!(factor > 0) || factor > 100)
    return InvalidArgument("factor", "a boost factor is above 0 and at most 100");
  if (expires_at <= clock_.Now())
    return InvalidArgument("until", "a boost must expire in the future");
  if (reason.size() < 3)
    return InvalidArgument("reason", "a boost needs a written reason, for everyone to read");
  QS_TRY_STATUS(ValidateText("reason", reason, 2000));
  ProjectBoost b{0, project, factor, expires_at, reason, caller.handle, clock_.Now()};
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (!QS_TRY(tx.FindProject(project)))
      return NotFound("there is no project " + std::to_string(project.value));
    QS_TRY_STATUS(tx.InsertBoost(b, caller.id));
    // Rule 5: boosts are open and recorded.
    Contribution c;
    c.at = b.created_at;
    c.actor = caller.handle;
    c.contributor = MemberContributor(caller.handle);
    c.kind = "boost";
    c.project = project.value;
    c.quantity_milli = static_cast<std::int64_t>(std::llround(factor * 1000));
    c.unit = "x weight";
    c.evidence = "boost until " + FormatRfc3339(expires_at);
    c.note = reason;
    QS_TRY(AppendContribution(tx, std::move(c)));
    return {};
  }));
  Kick();
  return b;
}

Result<std::vector<ProjectBoost>> Compute::Boosts(const Caller&) {
  return Read(store_, [&](Tx& tx) { return tx.ListBoosts(clock_.Now()); });
}

Result<ClusterView> Compute::Cluster(const Caller& caller) {
  ClusterView view;
  view.nodes = executor_.Nodes();
  view.gpus = AllGpus(view.nodes);
  // The projects worth showing: those the last pass saw asking or using GPUs, and
  // those with a live boost. Each is looked up by id, however many the lab has.
  std::map<std::int64_t, ProjectUse> uses;
  {
    std::lock_guard lock(view_mu_);
    for (const auto& [project, share] : shares_) {
      if (share.demand > 0 || share.usage > 0) uses[project] = {project, "", share, {}};
    }
  }
  std::vector<Job> active;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    active = QS_TRY(tx.ListActiveJobs());
    for (auto& b : QS_TRY(tx.ListBoosts(clock_.Now()))) {
      auto& use = uses[b.project.value];
      use.project = b.project.value;
      use.boosts.push_back(std::move(b));
    }
    for (auto& [id, use] : uses) {
      if (auto project = QS_TRY(tx.FindProject(ProjectId(id)))) use.title = project->title;
    }
    return {};
  }));
  for (const auto& j : active) {
    if (j.state == JobState::kRunning) {
      for (int g : j.gpu_ids) view.gpu_jobs[g] = ForViewer(caller, j);
    } else {
      ++view.pending;
    }
  }
  // Newest project first, as the project list shows them.
  for (auto it = uses.rbegin(); it != uses.rend(); ++it)
    view.projects.push_back(std::move(it->second));
  return view;
}

Result<LogChunk> Compute::ReadLog(const Caller& caller, JobId id, bool stderr_stream,
                                  std::int64_t offset, std::int64_t max_bytes) {
  const Job job = QS_TRY(GetJob(caller, id));
  LogChunk chunk;
  chunk.next_offset = offset;
  std::ifstream f(executor_.LogPath(id.value, stderr_stream), std::ios::binary);
  if (f) {
    f.seekg(0, std::ios::end);
    const std::int64_t size = f.tellg();
    if (offset < size) {
      const std::int64_t n = std::min(max_bytes, size - offset);
      chunk.data.resize(static_cast<std::size_t>(n));
      f.seekg(offset);
      f.read(chunk.data.data(), n);
      chunk.next_offset = offset + n;
    }
    chunk.done = IsFinal(job.state) && chunk.next_offset >= size;
  } else {
    chunk.done = IsFinal(job.state);
  }
  return chunk;
}

// ---- the scheduler loop -------------------------------------------------------------

void Compute::FollowLeadership(Leadership* leadership) {
  std::lock_guard lock(tick_mu_);
  leadership_ = leadership;
  leading_ = false;
}

bool Compute::Leading() {
  std::lock_guard lock(tick_mu_);
  return leading_;
}

bool Compute::TakeLead() {
  const bool lead = !leadership_ || leadership_->Lead();
  if (lead != leading_) {
    leading_ = lead;
    if (lead) {
      spdlog::info("scheduler: this server leads the scheduling");
    } else {
      spdlog::warn("scheduler: this server no longer leads; another server schedules");
    }
    // What this process learnt while it led is stale when it leads again: start from
    // the store, as a restarted server does.
    stops_sent_.clear();
    usage_ = {};
    usage_at_ = 0;
    sampled_minute_ = 0;
  }
  return lead;
}

Status Compute::Tick() {
  std::lock_guard lock(tick_mu_);
  if (!TakeLead()) return {};
  const UnixSeconds now = clock_.Now();
  auto active = QS_TRY(Read(store_, [](Tx& tx) { return tx.ListActiveJobs(); }));
  QS_TRY_STATUS(Reconcile(now, active));
  QS_TRY_STATUS(PlanAndApply(now, active));
  std::vector<RunKey> live;
  for (const Job& j : active) {
    if (j.state == JobState::kRunning) live.emplace_back(j.id.value, j.run);
  }
  executor_.Retain(live);
  std::erase_if(stops_sent_, [&](const RunKey& key) {
    return std::find(live.begin(), live.end(), key) == live.end();
  });
  // Once a minute, the busy GPUs as they stand after this pass (`active` now holds
  // this pass's starts and no ended runs).
  const UnixSeconds minute = now - now % 60;
  if (minute != sampled_minute_) {
    int busy = 0;
    for (const Job& j : active) {
      if (j.state == JobState::kRunning) busy += j.gpus;
    }
    const int total = static_cast<int>(AllGpus(executor_.Nodes()).size());
    QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) {
      return tx.InsertGpuSample({minute, busy, total});
    }));
    sampled_minute_ = minute;
  }
  return {};
}

Result<UtilizationView> Compute::Utilization(const Caller&, int hours, int buckets) {
  if (hours < 1 || hours > 24 * 31) return InvalidArgument("hours", "hours is 1 to 744 (31 days)");
  if (buckets < 1 || buckets > 500) return InvalidArgument("buckets", "buckets is 1 to 500");
  UtilizationView v;
  v.to = clock_.Now();
  v.from = v.to - static_cast<UnixSeconds>(hours) * 3600;
  v.bucket_s = std::max<UnixSeconds>(1, (v.to - v.from) / buckets);
  const auto samples = QS_TRY(Read(store_, [&](Tx& tx) { return tx.ListGpuSamples(v.from); }));
  std::vector<double> sum(static_cast<std::size_t>(buckets), 0.0);
  std::vector<int> count(static_cast<std::size_t>(buckets), 0);
  double all = 0;
  for (const auto& g : samples) {
    if (g.total <= 0) continue;
    const auto i =
        static_cast<std::size_t>(std::min<UnixSeconds>(buckets - 1, (g.at - v.from) / v.bucket_s));
    const double share = std::min(1.0, static_cast<double>(g.busy) / g.total);
    sum[i] += share;
    ++count[i];
    all += share;
  }
  for (std::size_t i = 0; i < sum.size(); ++i) {
    v.buckets.push_back(count[i] ? std::optional<double>(sum[i] / count[i]) : std::nullopt);
  }
  if (!samples.empty()) v.mean = all / static_cast<double>(samples.size());
  return v;
}

Status Compute::Reconcile(UnixSeconds now, std::vector<Job>& active) {
  std::vector<const Job*> ended;
  for (Job& job : active) {
    if (job.state != JobState::kRunning) continue;
    // A stop recorded by a server that died before it asked the executor: ask now
    // (asking twice is harmless), or a run would keep its GPUs for ever.
    if (job.stopping != JobStop::kNone && stops_sent_.insert({job.id.value, job.run}).second) {
      if (auto stopped = executor_.Stop(job.id.value, job.run); !stopped) {
        // Asked again next pass; the other runs go on being looked after.
        stops_sent_.erase({job.id.value, job.run});
        spdlog::warn("scheduler: cannot stop job {} run {}: {}", job.id.value, job.run,
                     stopped.error().message);
      }
    }
    // One run the executor cannot tell about (a supervisor's file unreadable, Slurm
    // not answering for it) is looked at again next pass; it must not stop this pass
    // for every other run.
    auto st = executor_.Poll(job.id.value, job.run);
    if (!st) {
      spdlog::warn(
          "scheduler: cannot poll job {} run {}: {}; it keeps its GPUs until the next pass",
          job.id.value, job.run, st.error().message);
      continue;
    }
    if (st->state == RunStatus::State::kRunning) {
      // Where it runs, as the cluster tells (a stopping job keeps its stop's reason).
      if (job.stopping == JobStop::kNone && st->note != job.reason) {
        job.reason = st->note;
        ended.push_back(&job);
      }
      continue;
    }
    const std::int64_t ran = std::max<std::int64_t>(0, now - job.run_started_at.value_or(now));
    job.attained_gpu_s += ran * job.gpus;
    job.gpu_ids.clear();
    auto [event, how] = EventOf(*st);
    const JobPhase from = QS_TRY(Step(job, event));
    if (StartsOver(from, job.phase())) {
      job.queued_at = now;
      job.run += 1;
      // A run that never happened: the server stopped between recording this start
      // and launching it.
      if (event == JobEvent::kRunNeverRan) {
        job.reason = (how.empty() ? "its start was cut short by a server restart" : how) +
                     "; back in the queue";
      } else if (event == JobEvent::kRunInterrupted) {
        job.reason = "interrupted: " + how + "; back in the queue";
      } else {
        job.reason = "preempted to make room for a project under its share; back in the queue";
      }
    } else {
      job.finished_at = now;
      job.exit_code = st->exit_code;
      // A cancelled job keeps the reason its cancel gave.
      if (job.state != JobState::kCancelled) job.reason = std::move(how);
    }
    ended.push_back(&job);
  }
  QS_TRY_STATUS(UpdateJobs(store_, ended));
  std::erase_if(active, [](const Job& j) { return IsFinal(j.state); });
  return {};
}

Status Compute::PlanAndApply(UnixSeconds now, std::vector<Job>& active) {
  std::map<std::int64_t, std::pair<int, int>> people;
  std::vector<ProjectBoost> boosts;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    people = QS_TRY(tx.ProjectPeople());
    boosts = QS_TRY(tx.ListBoosts(now));
    return {};
  }));
  const Topology topology = TopologyOf(executor_.Nodes());
  sched::ProjectTable projects;
  for (const auto& [project, counts] : people)
    projects[project] = {counts.first, counts.second, {}};
  for (const auto& b : boosts)
    projects[b.project.value].boosts.push_back({b.factor, b.expires_at, b.reason});

  std::vector<sched::RunningJob> running;
  std::vector<sched::Job> pending;
  std::unordered_map<std::int64_t, Job*> by_id;  // into `active`, which this pass updates
  by_id.reserve(active.size());
  running.reserve(active.size());
  pending.reserve(active.size());
  std::set<int> busy;
  // GPUs in use per node; a GPU number the executor no longer lists (its node left the
  // cluster) counts on a last node of its own that takes nothing new.
  const int gone_node = static_cast<int>(topology.nodes.size());
  std::vector<int> used(topology.nodes.size() + 1, 0);
  const auto placement_of = [&](const std::vector<int>& gpu_ids) {
    std::map<int, int> parts;
    for (int g : gpu_ids) {
      auto it = topology.node_of.find(g);
      ++parts[it == topology.node_of.end() ? gone_node : it->second];
    }
    sched::Placement p;
    for (const auto& [node_idx, count] : parts) {
      p.parts.emplace_back(node_idx, count);
      used[static_cast<std::size_t>(node_idx)] += count;
    }
    return p;
  };
  for (auto& j : active) {
    const sched::Job sj{.id = j.id.value,
                        .owner = j.owner.value,
                        .project = j.project.value,
                        .gpus = j.gpus,
                        .submit = j.submitted_at,
                        .queued = j.queued_at,
                        // Bounded for jobs recorded before submit bounded it, so
                        // that no deadline the policy computes overflows.
                        .time_limit = j.time_limit_s ? std::optional<std::int64_t>(std::min(
                                                           *j.time_limit_s, kMaxTimeLimitS))
                                                     : std::nullopt,
                        .attained = j.attained_gpu_s,
                        .restarts = j.run};
    if (j.state == JobState::kRunning) {
      running.push_back({sj, placement_of(j.gpu_ids), j.run_started_at.value_or(now),
                         j.stopping != JobStop::kNone});
      for (int g : j.gpu_ids) busy.insert(g);
    } else {
      pending.push_back(sj);
    }
    by_id[j.id.value] = &j;
  }
  // A node that takes no new runs offers only what its runs hold, so nothing new goes
  // there and what runs there still counts.
  sched::Cluster cluster;
  for (std::size_t node_idx = 0; node_idx <= topology.nodes.size(); ++node_idx) {
    const bool gone = node_idx == topology.nodes.size();
    const ExecNode* node = gone ? nullptr : &topology.nodes[node_idx];
    const int capacity =
        node && node->schedulable ? static_cast<int>(node->gpus.size()) : used[node_idx];
    cluster.nodes.push_back(
        {node ? node->name : "(gone)", std::max(capacity, used[node_idx]), "gpu"});
  }
  if (usage_at_ == 0) usage_at_ = now;
  sched::AdvanceUsage(usage_, running, usage_at_, now, config_.policy.half_life);
  usage_at_ = now;

  const sched::Decisions plan = policy_->Plan({cluster, running, pending, projects, usage_, now});
  {
    std::lock_guard lock(view_mu_);
    reasons_.clear();
    for (const auto& [id, why] : plan.reasons) reasons_[id] = why;
    shares_ = plan.shares;
    // Projects idle now but with recent use still show their decayed usage.
    for (const auto& [project, used] : usage_.project) {
      if (used < 1.0 || shares_.contains(project)) continue;
      auto& share = shares_[project];
      share.usage = used;
      auto it = projects.find(project);
      share.weight = sched::ProjectWeight(it == projects.end() ? sched::ProjectInfo{} : it->second,
                                          config_.policy.weights, now);
    }
  }
  // Every decision is recorded, in one transaction, before it is carried out.
  std::vector<const Job*> decided;
  decided.reserve(plan.preempts.size() + plan.starts.size());
  for (std::int64_t id : plan.preempts) {
    Job& job = *by_id.at(id);
    QS_TRY(Step(job, JobEvent::kPreempt));
    decided.push_back(&job);
  }
  std::vector<Job*> starting;
  starting.reserve(plan.starts.size());
  for (const auto& start : plan.starts) {
    Job& job = *by_id.at(start.job);
    job.gpu_ids.clear();
    for (const auto& [node_idx, count] : start.placement.parts) {
      if (node_idx < 0 || node_idx >= gone_node) continue;
      int taken = 0;
      for (int g : topology.nodes[static_cast<std::size_t>(node_idx)].gpus) {
        if (taken == count) break;
        if (busy.contains(g)) continue;
        job.gpu_ids.push_back(g);
        ++taken;
      }
    }
    if (static_cast<int>(job.gpu_ids.size()) != job.gpus) {
      job.gpu_ids.clear();
      continue;  // a bug guard; retried next pass
    }
    for (int g : job.gpu_ids) busy.insert(g);
    QS_TRY(Step(job, JobEvent::kStart));
    job.run_started_at = now;
    if (!job.started_at) job.started_at = now;
    job.reason.clear();
    decided.push_back(&job);
    starting.push_back(&job);
  }
  // A server killed after this commit finds runs with no supervisor; the executor
  // reports them lost (and makes sure a late supervisor will not run them), so no
  // run is ever launched twice.
  QS_TRY_STATUS(UpdateJobs(store_, decided));
  for (std::int64_t id : plan.preempts) {
    const Job& job = *by_id.at(id);
    stops_sent_.insert({id, job.run});
    QS_TRY_STATUS(executor_.Stop(id, job.run));
  }
  std::vector<const Job*> failed;
  for (Job* job : starting) {
    LaunchSpec spec{
        job->id.value,   job->run,          job->argv,    job->env,
        job->workdir,    job->time_limit_s, job->gpu_ids, NodesOf(topology, job->gpu_ids),
        config_.grace_s, job->owner_handle};
    if (auto started = executor_.Start(spec); !started) {
      QS_TRY(Step(*job, JobEvent::kStartFailed));
      job->finished_at = now;
      job->gpu_ids.clear();
      job->reason = "could not start: " + started.error().message;
      failed.push_back(job);
    }
  }
  return UpdateJobs(store_, failed);
}

void Compute::StartLoop(std::chrono::milliseconds period) {
  loop_ = std::thread([this, period] {
    std::unique_lock lock(loop_mu_);
    while (!stopping_) {
      lock.unlock();
      if (auto ticked = Tick(); !ticked) {
        spdlog::error("scheduler: the pass failed: {}", ticked.error().message);
      }
      lock.lock();
      loop_cv_.wait_for(lock, period, [&] { return kicked_ || stopping_; });
      kicked_ = false;
    }
  });
}

void Compute::StopLoop() {
  {
    std::lock_guard lock(loop_mu_);
    stopping_ = true;
  }
  loop_cv_.notify_all();
  if (loop_.joinable()) loop_.join();
}

void Compute::Kick() {
  {
    std::lock_guard lock(loop_mu_);
    kicked_ = true;
  }
  loop_cv_.notify_all();
}

}  // namespace qiusuo
