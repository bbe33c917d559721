#include "exec/slurm/slurm_executor.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>

#include "exec/slurm/slurm_text.h"

namespace qiusuo {
namespace {

namespace fs = std::filesystem;
using SteadyTime = std::chrono::steady_clock::time_point;

std::optional<std::string> ReadSmallFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) return std::nullopt;
  std::ostringstream text;
  text << f.rdbuf();
  return text.str();
}

// Written whole under another name, then renamed, so a reader never sees half.
Status WriteFileAtomically(const std::string& path, const std::string& text, bool executable) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    if (!f.flush()) return Fail(ErrorCode::kUnavailable, "cannot write " + tmp);
  }
  std::error_code ec;
  if (executable) fs::permissions(tmp, fs::perms::owner_all, fs::perm_options::replace, ec);
  fs::rename(tmp, path, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot write " + path + ": " + ec.message());
  return {};
}

bool OnPath(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::string_view rest = path ? path : "/usr/bin:/bin";
  while (true) {
    const auto colon = rest.find(':');
    std::string candidate(rest.substr(0, colon));
    if (!candidate.empty() && ::access(candidate.append("/").append(program).c_str(), X_OK) == 0)
      return true;
    if (colon == std::string_view::npos) return false;
    rest.remove_prefix(colon + 1);
  }
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += sep;
    out += item;
  }
  return out;
}

class SlurmExecutor final : public Executor {
 public:
  SlurmExecutor(SlurmExecutorOptions options, std::unique_ptr<CommandRunner> runner)
      : options_(std::move(options)), runner_(std::move(runner)) {
    if (!options_.slurm_conf.empty()) env_.emplace_back("SLURM_CONF", options_.slurm_conf);
  }

  ~SlurmExecutor() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (poller_.joinable()) poller_.join();
  }

  SlurmExecutor(const SlurmExecutor&) = delete;
  SlurmExecutor& operator=(const SlurmExecutor&) = delete;

  // The checks MakeSlurmExecutor promises, then the first look at the cluster, then
  // the poller.
  Status Connect() {
    for (const char* tool : {"sbatch", "squeue", "sinfo", "scancel", "scontrol"}) {
      if (!OnPath(tool)) {
        return Fail(ErrorCode::kUnavailable,
                    std::string("executor = \"slurm\" but the Slurm command ") + tool +
                        " is not on PATH; install Slurm's client commands (Debian: slurm-client)");
      }
    }
    if (!options_.slurm_conf.empty() && !fs::exists(options_.slurm_conf)) {
      return Fail(ErrorCode::kUnavailable, "slurm_conf " + options_.slurm_conf + " does not exist");
    }
    const auto part = Slurm({"scontrol", "show", "partition", options_.partition, "-o"},
                            options_.command_timeout);
    if (part.timed_out) {
      return Fail(ErrorCode::kUnavailable,
                  "the Slurm controller does not answer (scontrol timed out after " +
                      std::to_string(options_.command_timeout.count() / 1000) +
                      " s); is slurmctld running, and is slurm_conf right?");
    }
    if (!part.ok()) {
      const std::string why = part.Describe();
      if (why.find("not found") != std::string::npos) {
        return Fail(ErrorCode::kUnavailable,
                    "Slurm has no partition \"" + options_.partition +
                        "\"; create it in slurm.conf or set slurm_partition in qiusuo.toml");
      }
      return Fail(ErrorCode::kUnavailable, "cannot reach Slurm: " + why);
    }
    if (options_.shared_dir.empty() || options_.shared_dir[0] != '/') {
      return Fail(ErrorCode::kInvalidArgument,
                  "shared_dir must be an absolute path that the server and every node share");
    }
    std::error_code ec;
    const bool made_shared = !fs::exists(options_.shared_dir, ec);
    fs::create_directories(JobsDir(), ec);
    // Made here (under the server's umask 077): jobs must pass through it to their
    // checkpoint directories.
    if (made_shared && !ec) {
      fs::permissions(options_.shared_dir,
                      fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                      fs::perm_options::replace, ec);
    }
    const std::string probe = JobsDir() + "/.write-test";
    if (ec || !WriteFileAtomically(probe, "ok\n", false)) {
      return Fail(ErrorCode::kUnavailable, "cannot write to shared_dir " + options_.shared_dir +
                                               "/jobs" +
                                               (ec ? ": " + ec.message() : std::string()));
    }
    fs::remove(probe, ec);
    if (auto refreshed = Refresh(); !refreshed) return std::unexpected(refreshed.error());
    {
      std::lock_guard lock(mu_);
      if (AllGpus(nodes_).empty()) {
        return Fail(ErrorCode::kUnavailable,
                    "Slurm partition \"" + options_.partition +
                        "\" has no GPUs; give its nodes Gres=gpu:N (and a gres.conf)");
      }
    }
    poller_ = std::thread([this] { PollLoop(); });
    return {};
  }

  std::vector<ExecNode> Nodes() const override {
    std::lock_guard lock(mu_);
    return nodes_;
  }

  void OnChange(std::function<void()> callback) override {
    std::lock_guard lock(callback_mu_);
    callback_ = std::move(callback);
  }

  std::string LogPath(std::int64_t job_id, bool stderr_stream) const override {
    return Files(job_id, 0).Log(stderr_stream);
  }

  Status Start(const LaunchSpec& spec) override {
    const RunKey key{spec.job_id, spec.run};
    const std::string name = slurm::RunName(options_.job_prefix, spec.job_id, spec.run);
    const slurm::RunFiles files = Files(spec.job_id, spec.run);
    if (spec.nodes.empty()) return Internal("a Slurm run needs the nodes it is pinned to");
    const JobAccount account = QS_TRY(ResolveJobAccount(options_.job_users, spec.owner));
    QS_TRY_STATUS(PrepareJobDir(files, account));
    // 0700: the script holds the job's environment (its secrets too).
    QS_TRY_STATUS(WriteFileAtomically(
        files.Script(), slurm::BatchScript(spec, files, account, options_.log_max_bytes), true));
    std::vector<std::string> node_names;
    int gpus = 0;
    for (const auto& [node, count] : spec.nodes) {
      node_names.push_back(node);
      gpus += count;
    }
    std::vector<std::string> sbatch = {"sbatch",
                                       "--parsable",
                                       "--hold",
                                       "--partition=" + options_.partition,
                                       "--job-name=" + name,
                                       "--nodes=" + std::to_string(spec.nodes.size()),
                                       "--nodelist=" + Join(node_names, ","),
                                       "--gpus=" + std::to_string(gpus),
                                       "--no-requeue",
                                       "--export=ALL",
                                       "--open-mode=append",
                                       "--output=" + files.Log(false),
                                       "--error=" + files.Log(true),
                                       "--chdir=" + files.job_dir};
    if (spec.time_limit_s) {
      sbatch.push_back("--time=" + slurm::SbatchTimeLimit(*spec.time_limit_s, spec.grace_s));
    }
    if (options_.cpus_per_gpu > 0)
      sbatch.push_back("--cpus-per-gpu=" + std::to_string(options_.cpus_per_gpu));
    if (options_.mem_per_gpu_mb > 0)
      sbatch.push_back("--mem-per-gpu=" + std::to_string(options_.mem_per_gpu_mb));
    sbatch.push_back(files.Script());
    bool deferred = false;
    {
      std::lock_guard lock(mu_);
      if (auto it = runs_.find(key); it != runs_.end() && it->second.slurm_id != 0) return {};
      Run& run = runs_[key];
      run.known_at = begun_;
      run.stop_checked = true;  // started by this process: no earlier stop
      run.grace_s = spec.grace_s;
      run.time_limit_s = spec.time_limit_s;
      run.nodes = node_names;
      if (auto row = jobs_.find(name); row != jobs_.end()) {
        run.slurm_id = row->second.id;  // submitted before a crash: adopt it
        return {};
      }
      run.sbatch = sbatch;
      if (!last_ok_) {
        // Slurm does not answer now: the poller submits it once it does, rather than
        // this pass waiting on sbatch's timeout for every start.
        run.submit_error = "Slurm does not answer: " + last_error_;
        woken_ = true;
        deferred = true;
      }
    }
    if (deferred) {
      wake_.notify_all();
      return {};
    }
    return Submit(key, sbatch);
  }

  Result<RunStatus> Poll(std::int64_t job_id, int run_no) override {
    const RunKey key{job_id, run_no};
    const std::string name = slurm::RunName(options_.job_prefix, job_id, run_no);
    std::optional<slurm::JobRow> row;
    {
      std::lock_guard lock(mu_);
      auto [it, fresh] = runs_.try_emplace(key);
      Run& run = it->second;
      if (fresh) run.grace_s = options_.default_grace_s;  // adopted: known since the start
      if (!run.refused.empty()) {
        RunStatus st;
        st.state = RunStatus::State::kExited;
        st.end = RunEnd::kFailedToStart;
        st.reason = "cannot start: Slurm refused it: " + run.refused;
        return st;
      }
      if (auto found = jobs_.find(name); found != jobs_.end()) row = found->second;
      if (row && !run.slurm_id) run.slurm_id = row->id;
      if (!row || slurm::IsActiveState(row->state)) {
        // Missing from a listing made before we submitted it, or while Slurm does not
        // answer, tells nothing.
        const bool unknown =
            !row && (!last_ok_ || run.known_at >= snapshot_seq_ || !run.sbatch.empty());
        if (row || unknown) {
          RunStatus st;
          st.note = row ? RunningNote(*row) : WaitingNote(run);
          if (row && !last_ok_)
            st.note += " (as last seen; Slurm does not answer: " + last_error_ + ")";
          return st;
        }
      }
    }
    return Ended(key, row);
  }

  Status Stop(std::int64_t job_id, int run_no) override {
    const RunKey key{job_id, run_no};
    QS_TRY_STATUS(MarkStop(key, "stop"));
    std::vector<std::string> command;
    {
      std::lock_guard lock(mu_);
      Run& run = runs_[key];
      run.stop_asked = true;
      run.stop_checked = true;
      run.sbatch.clear();  // not submitted yet: it never will be
      const auto row = jobs_.find(slurm::RunName(options_.job_prefix, job_id, run_no));
      if (!run.slurm_id && row != jobs_.end()) run.slurm_id = row->second.id;
      if (!run.slurm_id) return {};  // nothing in Slurm: Poll reports it never ran
      const std::string id = std::to_string(run.slurm_id);
      if (row == jobs_.end() || row->second.state == "PENDING") {
        command = {"scancel", id};  // not running: nothing to save
      } else if (slurm::IsActiveState(row->second.state)) {
        command = {"scancel", "--signal=TERM", id};  // every rank, on every node
        run.kill_at = std::chrono::steady_clock::now() + std::chrono::seconds(run.grace_s);
      }
    }
    // A failure here is retried: the grace period's end kills it in any case.
    if (!command.empty()) (void)Slurm(command, options_.command_timeout);
    Wake();
    return {};
  }

  void Retain(const std::vector<RunKey>& runs) override {
    std::lock_guard lock(mu_);
    live_ = std::set<RunKey>(runs.begin(), runs.end());
    live_known_ = true;
    // Runs the scheduler is done with need nothing more from this executor.
    std::erase_if(runs_, [&](const auto& entry) { return !live_.contains(entry.first); });
  }

 private:
  // What this process knows of a run beyond what Slurm lists.
  struct Run {
    std::int64_t slurm_id = 0;  // 0 until sbatch answered or Slurm listed it
    // Looks at Slurm begun when this process learned of it: only a later one that
    // does not list it says it is gone.
    std::uint64_t known_at = 0;
    std::vector<std::string> sbatch;  // still to submit (the last try failed for now)
    std::string submit_error;         // why that try failed
    std::string refused;              // Slurm refused it for good
    bool stop_asked = false;
    std::optional<SteadyTime> kill_at;  // SIGKILL then, if it still runs
    std::int64_t grace_s = 30;
    std::optional<std::int64_t> time_limit_s;
    std::optional<std::int64_t> started_at;  // epoch seconds, from run-<k>.started
    std::vector<std::string> nodes;          // pinned to (unknown for a run adopted)
    bool released = false;                   // the release was sent
    // Whether the poller looked for a stop asked by an earlier server (run-<k>.stop).
    bool stop_checked = false;
  };

  // Why the run cannot start where it is pinned ("n3 is drained", "n3 left the
  // partition"), or nothing when every node it is pinned to takes new runs (mu_ held).
  std::optional<std::string> UnusablePin(const Run& run) const {
    for (const std::string& node : run.nodes) {
      const auto n = std::find_if(nodes_.begin(), nodes_.end(),
                                  [&](const ExecNode& e) { return e.name == node; });
      if (n == nodes_.end()) return node + " left the partition";
      if (!n->schedulable) return node + " is " + n->state;
    }
    return std::nullopt;
  }

  std::string JobsDir() const { return options_.shared_dir + "/jobs"; }

  slurm::RunFiles Files(std::int64_t job_id, int run) const {
    return {JobsDir() + "/" + std::to_string(job_id), run};
  }

  CommandResult Slurm(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    return runner_->Run(argv, env_, timeout);
  }

  // SHARED/jobs/<id>: the server's (0711: the job reaches only its checkpoint
  // directory, which is its account's); the logs are made here 0600, before Slurm
  // appends to them.
  Status PrepareJobDir(const slurm::RunFiles& files, const JobAccount& account) {
    std::error_code ec;
    fs::create_directories(files.Checkpoint(), ec);
    const auto traverse_only =
        fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec;
    if (!ec) fs::permissions(JobsDir(), traverse_only, fs::perm_options::replace, ec);
    if (!ec) fs::permissions(files.job_dir, traverse_only, fs::perm_options::replace, ec);
    if (!ec && ::lchown(files.Checkpoint().c_str(), account.uid, account.gid) != 0)
      ec = std::error_code(errno, std::generic_category());
    if (!ec)
      fs::permissions(files.Checkpoint(), fs::perms::owner_all, fs::perm_options::replace, ec);
    for (bool err : {false, true}) {
      if (ec) break;
      const int fd =
          ::open(files.Log(err).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
      if (fd < 0) ec = std::error_code(errno, std::generic_category());
      if (fd >= 0) ::close(fd);
    }
    if (ec) {
      return Fail(ErrorCode::kUnavailable, "cannot prepare " + files.job_dir +
                                               " in shared_dir for the job's account " +
                                               account.name + ": " + ec.message());
    }
    return {};
  }

  // Records that Qiusuo asked the run to stop and why ("stop", "time limit"), before
  // asking Slurm, so that its end is read right even after a crash.
  Status MarkStop(const RunKey& key, const std::string& why) {
    const slurm::RunFiles files = Files(key.first, key.second);
    if (fs::exists(files.Stop())) return {};
    std::error_code ec;
    fs::create_directories(files.job_dir, ec);
    return WriteFileAtomically(files.Stop(), why + "\n", false);
  }

  Status Submit(const RunKey& key, const std::vector<std::string>& sbatch) {
    // sbatch runs in a clean environment that it passes on whole (--export=ALL): the
    // job gets PATH and HOME, never the server's secrets. Not --export=NONE or a list:
    // then slurmd builds a login environment (`su -`) for every job, seconds each.
    std::vector<std::pair<std::string, std::string>> env = env_;
    for (const char* name : {"PATH", "HOME", "LANG"}) {
      if (const char* value = std::getenv(name)) env.emplace_back(name, value);
    }
    const CommandResult r = runner_->Run(sbatch, env, options_.command_timeout, false);
    std::int64_t id = 0;
    if (r.ok()) {
      const std::string out = r.out.substr(0, r.out.find_first_of(";\n"));
      id = std::strtoll(out.c_str(), nullptr, 10);
    }
    {
      std::lock_guard lock(mu_);
      Run& run = runs_[key];
      if (id > 0) {
        // Looks begun before sbatch answered may have missed it.
        run.known_at = begun_;
        run.slurm_id = id;
        run.sbatch.clear();
        run.submit_error.clear();
      } else if (!r.ok() && !r.timed_out && r.started && !slurm::IsTransientError(r.Describe())) {
        runs_.erase(key);
        return Fail(ErrorCode::kFailedPrecondition, "Slurm refused the job: " + r.Describe());
      } else {
        // Unknown: it may or may not be in Slurm. The poller looks for it by name
        // before it submits again.
        run.known_at = begun_;
        run.submit_error = r.ok() ? "sbatch printed no job id: " + r.out : r.Describe();
      }
    }
    Wake();
    return {};
  }

  static std::string RunningNote(const slurm::JobRow& row) {
    const std::string id = "Slurm job " + std::to_string(row.id);
    if (row.state == "RUNNING") return id + " on " + Join(row.nodes, ",");
    if (row.state == "PENDING") {
      if (row.reason.starts_with("JobHeld")) return id + " being released";
      return id + " pending (" + row.reason + ")";
    }
    return id + " " + row.state;
  }

  std::string WaitingNote(const Run& run) const {
    if (!run.submit_error.empty()) return "waiting for Slurm to take it: " + run.submit_error;
    if (!last_ok_) return "Slurm does not answer: " + last_error_;
    return "submitted to Slurm";
  }

  // How a run that Slurm lists as over, or no longer lists, ended: from what its
  // wrapper wrote, what Qiusuo asked, and what Slurm says.
  RunStatus Ended(const RunKey& key, const std::optional<slurm::JobRow>& row) {
    const slurm::RunFiles files = Files(key.first, key.second);
    const auto exit_text = ReadSmallFile(files.Exit());
    const auto exit = exit_text ? slurm::ParseExitRecord(*exit_text) : std::nullopt;
    const bool started = fs::exists(files.Started());
    std::string stop = ReadSmallFile(files.Stop()).value_or("");
    while (!stop.empty() && stop.back() == '\n') stop.pop_back();
    const std::string state = row ? row->state : "";
    const std::string slurm_says =
        row ? "Slurm job " + std::to_string(row->id) + ": " + state : std::string();

    // "requeue: why": Qiusuo cancelled it before it began, to plan it elsewhere.
    const bool requeued = stop.starts_with("requeue: ");
    if (requeued) stop = stop.substr(9);
    RunStatus st;
    st.state = RunStatus::State::kExited;
    const RunEnd stopped = stop == "time limit" ? RunEnd::kTimeLimit : RunEnd::kStopped;
    const bool cluster_failure = state == "NODE_FAIL" || state == "BOOT_FAIL";
    if (exit) {
      if (!exit->started) {
        st.end = RunEnd::kFailedToStart;
        st.reason = "cannot start: " + exit->reason;
        return st;
      }
      if (cluster_failure && stop.empty()) {
        st.state = RunStatus::State::kInterrupted;
        st.reason = "its node failed";
        st.note = slurm_says;
        return st;
      }
      st.end = stop.empty() || requeued ? RunEnd::kExited : stopped;
      st.exit_code = exit->exit_code;
      st.signal = exit->signal;
      st.reason = stop.empty() || requeued ? "exited" : stop;
      if (state == "CANCELLED" && stop.empty()) st.note = "cancelled in Slurm, not by Qiusuo";
      return st;
    }
    if (!stop.empty()) {
      if (!started) {
        st.state = RunStatus::State::kLost;
        st.never_ran = true;           // stopped before it began: nothing ran
        if (requeued) st.note = stop;  // why it goes back to the queue
        return st;
      }
      if (requeued) {
        st.state = RunStatus::State::kInterrupted;  // it began just as it was cancelled
        st.reason = stop;
        return st;
      }
      st.end = stopped;
      st.exit_code = 128 + 9;
      st.signal = 9;
      st.reason = stop;
      st.note = "killed after its grace period";
      return st;
    }
    if (!row) {
      st.state = RunStatus::State::kLost;
      st.never_ran = !started;
      if (started) {
        st.state = RunStatus::State::kInterrupted;
        st.reason = "Slurm has no record of it and it left no exit status";
      }
      return st;
    }
    if (cluster_failure || state == "PREEMPTED") {
      st.state = RunStatus::State::kInterrupted;
      st.reason = state == "PREEMPTED" ? "Slurm preempted it" : "its node failed";
      st.note = slurm_says + (row->nodes.empty() ? "" : " on " + Join(row->nodes, ","));
      return st;
    }
    if (state == "TIMEOUT") {
      st.end = RunEnd::kTimeLimit;
      st.exit_code = 128 + 9;
      st.signal = 9;
      st.reason = "time limit";
      st.note = "Slurm's time limit";
      return st;
    }
    if (state == "CANCELLED") {
      st.exit_code = 128 + 15;
      st.signal = 15;
      st.reason = "cancelled";
      st.note = started ? "cancelled in Slurm, not by Qiusuo"
                        : "cancelled in Slurm before it started, not by Qiusuo";
      return st;
    }
    if (!started) {
      st.end = RunEnd::kFailedToStart;
      st.reason = "cannot start: its batch script did not run on " +
                  (row->nodes.empty() ? std::string("its node") : row->nodes.front()) +
                  " (is shared_dir " + options_.shared_dir + " mounted there, and writable?)";
      st.note = slurm_says + (row->reason == "None" ? "" : ", " + row->reason);
      return st;
    }
    st.exit_code = state == "COMPLETED" ? 0 : 1;
    st.reason = "exited";
    st.note = slurm_says + ", no exit status written" +
              (state == "OUT_OF_MEMORY" ? " (out of memory)" : "");
    return st;
  }

  // One look at the partition: its jobs (all states Slurm still keeps) and nodes.
  // On failure the last look stands and Poll says so.
  Status Refresh() {
    const std::string partition = "--partition=" + options_.partition;
    std::uint64_t seq = 0;
    {
      std::lock_guard lock(mu_);
      seq = ++begun_;
    }
    const CommandResult jobs = Slurm({"squeue", "--noheader", "--states=all", partition,
                                      "--format=" + std::string(slurm::kSqueueFormat)},
                                     options_.command_timeout);
    CommandResult nodes;
    if (jobs.ok()) {
      nodes = Slurm({"sinfo", "--noheader", "--Node", partition,
                     "--format=" + std::string(slurm::kSinfoFormat)},
                    options_.command_timeout);
    }
    bool changed = false;
    {
      std::lock_guard lock(mu_);
      if (!jobs.ok() || !nodes.ok()) {
        last_ok_ = false;
        last_error_ = (jobs.ok() ? "sinfo " + nodes.Describe() : "squeue " + jobs.Describe());
        return Fail(ErrorCode::kUnavailable, "Slurm does not answer: " + last_error_);
      }
      std::map<std::string, slurm::JobRow> rows;
      for (auto& row : slurm::ParseSqueue(jobs.out)) {
        if (!slurm::ParseRunName(options_.job_prefix, row.name)) continue;
        // A name Slurm lists twice (resubmitted by hand): the newest wins.
        auto& slot = rows[row.name];
        if (row.id > slot.id) slot = std::move(row);
      }
      std::vector<ExecNode> parsed = slurm::ParseSinfo(nodes.out);
      changed = !last_ok_ || rows.size() != jobs_.size() || parsed.size() != nodes_.size();
      for (const auto& [name, row] : rows) {
        auto old = jobs_.find(name);
        if (old == jobs_.end() || old->second.state != row.state || old->second.id != row.id)
          changed = true;
      }
      for (std::size_t i = 0; !changed && i < parsed.size(); ++i) {
        changed = parsed[i].name != nodes_[i].name || parsed[i].state != nodes_[i].state ||
                  parsed[i].gpus != nodes_[i].gpus;
      }
      jobs_ = std::move(rows);
      nodes_ = std::move(parsed);
      last_ok_ = true;
      last_error_.clear();
      snapshot_seq_ = seq;
    }
    if (changed) Notify();
    return {};
  }

  // What the poller does after each look: releases, kills, time limits, orphans,
  // submissions to retry. Commands run outside the lock.
  void Act() {
    std::vector<std::string> release;
    std::vector<std::string> terminate;  // SIGTERM, then grace
    std::vector<std::string> kill;
    std::vector<RunKey> time_limited;
    std::vector<std::pair<RunKey, std::string>> requeue;
    std::vector<std::pair<RunKey, std::vector<std::string>>> resubmit;
    const auto now = std::chrono::steady_clock::now();
    const std::int64_t epoch = std::time(nullptr);
    {
      std::lock_guard lock(mu_);
      if (!last_ok_) return;
      for (auto& [key, run] : runs_) {
        const std::string name = slurm::RunName(options_.job_prefix, key.first, key.second);
        const auto row = jobs_.find(name);
        const bool active = row != jobs_.end() && slurm::IsActiveState(row->second.state);
        if (!run.sbatch.empty() && !run.stop_asked && run.known_at < snapshot_seq_) {
          if (row != jobs_.end()) {
            run.slurm_id = row->second.id;  // the try that "failed" got through
            run.sbatch.clear();
          } else {
            resubmit.emplace_back(key, run.sbatch);
          }
          continue;
        }
        if (active && !run.stop_asked && !run.stop_checked) {
          run.stop_checked = true;
          // A stop asked by a server that died before it was carried out (within the
          // grace period, say): carry it out, or a run that outlives SIGTERM would keep
          // its GPUs for ever, since nobody asks again.
          if (fs::exists(Files(key.first, key.second).Stop())) {
            run.stop_asked = true;
            const std::string id = std::to_string(row->second.id);
            if (row->second.state == "PENDING") {
              kill.push_back(id);
            } else {
              terminate.push_back(id);
              run.kill_at = now + std::chrono::seconds(run.grace_s);
            }
          }
        }
        if (run.slurm_id && !run.released && !run.stop_asked) {
          // Submitted held and recorded: release it, unless Slurm lists it past that
          // (adopted after a restart) or it is pinned to a node that takes no new runs.
          const bool past_hold = row != jobs_.end() && row->second.state != "PENDING";
          if (past_hold || !UnusablePin(run)) {
            run.released = true;
            if (!past_hold) release.push_back(std::to_string(run.slurm_id));
          }
        }
        if (!active) continue;
        const std::string id = std::to_string(row->second.id);
        if (!run.stop_asked && row->second.state == "PENDING") {
          // Pinned to a node drained (or gone down) before the run began: it would wait
          // there for ever; back to the scheduler, which plans it elsewhere.
          if (const auto why = UnusablePin(run)) {
            requeue.emplace_back(key, "requeue: " + *why + " before it started");
            kill.push_back(id);
            run.stop_asked = true;
            continue;
          }
        }
        if (run.kill_at && now >= *run.kill_at) {
          kill.push_back(id);
          run.kill_at = now + std::chrono::seconds(5);  // again, should this one be lost
        }
        if (run.time_limit_s && !run.stop_asked && row->second.state == "RUNNING") {
          if (!run.started_at) run.started_at = StartedAt(key);
          // Compared as elapsed time, so that no limit overflows.
          if (run.started_at && epoch - *run.started_at >= *run.time_limit_s) {
            time_limited.push_back(key);
            terminate.push_back(id);
            run.stop_asked = true;
            run.kill_at = now + std::chrono::seconds(run.grace_s);
          }
        }
      }
      if (live_known_) {
        for (const auto& [name, row] : jobs_) {
          const auto key = slurm::ParseRunName(options_.job_prefix, name);
          if (key && slurm::IsActiveState(row.state) && !live_.contains(*key) &&
              !runs_.contains(*key)) {
            kill.push_back(std::to_string(row.id));  // nobody's run: a leftover
          }
        }
      }
    }
    for (const RunKey& key : time_limited) (void)MarkStop(key, "time limit");
    for (const auto& [key, why] : requeue) (void)MarkStop(key, why);
    if (!release.empty() &&
        !Slurm({"scontrol", "release", Join(release, ",")}, options_.command_timeout).ok()) {
      // Some may not have been released (the controller is away): try them again.
      std::lock_guard lock(mu_);
      for (auto& [key, run] : runs_) {
        if (std::find(release.begin(), release.end(), std::to_string(run.slurm_id)) !=
            release.end())
          run.released = false;
      }
    }
    if (!terminate.empty()) {
      std::vector<std::string> argv = {"scancel", "--signal=TERM"};
      argv.insert(argv.end(), terminate.begin(), terminate.end());
      (void)Slurm(argv, options_.command_timeout);
    }
    if (!kill.empty()) {
      std::vector<std::string> argv = {"scancel"};
      argv.insert(argv.end(), kill.begin(), kill.end());
      (void)Slurm(argv, options_.command_timeout);
    }
    for (const auto& [key, sbatch] : resubmit) {
      if (auto submitted = Submit(key, sbatch); !submitted) {
        std::lock_guard lock(mu_);
        runs_[key].refused = submitted.error().message;
      }
    }
    if (!resubmit.empty()) Notify();
  }

  std::optional<std::int64_t> StartedAt(const RunKey& key) const {
    const auto text = ReadSmallFile(Files(key.first, key.second).Started());
    if (!text) return std::nullopt;
    std::istringstream in(*text);
    std::string slurm_id;
    std::int64_t at = 0;
    if (!(in >> slurm_id >> at)) return std::nullopt;
    return at;
  }

  // Looks at Slurm once per poll interval, never more often; acts (releases, kills)
  // at once when woken.
  void PollLoop() {
    auto next_look = std::chrono::steady_clock::now();
    std::unique_lock lock(mu_);
    while (!stopping_) {
      const bool look = std::chrono::steady_clock::now() >= next_look;
      lock.unlock();
      if (look) {
        next_look = std::chrono::steady_clock::now() + options_.poll_interval;
        (void)Refresh();
      }
      Act();
      lock.lock();
      wake_.wait_until(lock, next_look, [&] { return woken_ || stopping_; });
      woken_ = false;
    }
  }

  void Wake() {
    {
      std::lock_guard lock(mu_);
      woken_ = true;
    }
    wake_.notify_all();
  }

  void Notify() {
    std::lock_guard lock(callback_mu_);
    if (callback_) callback_();
  }

  const SlurmExecutorOptions options_;
  const std::unique_ptr<CommandRunner> runner_;
  std::vector<std::pair<std::string, std::string>> env_;

  mutable std::mutex mu_;                      // guards everything below
  std::map<std::string, slurm::JobRow> jobs_;  // our runs in Slurm, by name
  std::vector<ExecNode> nodes_;
  std::uint64_t begun_ = 0;         // looks at Slurm begun so far
  std::uint64_t snapshot_seq_ = 0;  // which of them jobs_ and nodes_ come from
  bool last_ok_ = false;            // the last look got an answer
  std::string last_error_;
  std::map<RunKey, Run> runs_;
  std::set<RunKey> live_;  // the runs the scheduler holds running (Retain)
  bool live_known_ = false;
  bool woken_ = false;
  bool stopping_ = false;
  std::condition_variable wake_;
  std::thread poller_;

  std::mutex callback_mu_;  // guards callback_
  std::function<void()> callback_;
};

}  // namespace

Result<std::unique_ptr<Executor>> MakeSlurmExecutor(const SlurmExecutorOptions& options,
                                                    std::unique_ptr<CommandRunner> runner) {
  if (!runner) runner = std::make_unique<ProcessRunner>();
  auto executor = std::make_unique<SlurmExecutor>(options, std::move(runner));
  QS_TRY_STATUS(executor->Connect());
  return std::unique_ptr<Executor>(std::move(executor));
}

}  // namespace qiusuo
