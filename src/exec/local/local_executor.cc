#include "exec/local/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "exec/local/run_files.h"

namespace qiusuo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;
using run_files::CreateExclusive;
using run_files::Exists;
using run_files::ReadAll;

std::string JobDir(const std::string& jobs_dir, std::int64_t job_id) {
  return (fs::path(jobs_dir) / std::to_string(job_id)).string();
}
std::string RunDir(const std::string& jobs_dir, std::int64_t job_id, int run) {
  return (fs::path(JobDir(jobs_dir, job_id)) / ("run-" + std::to_string(run))).string();
}

// Alive and not a zombie: a supervisor whose parent is gone may linger unreaped.
bool ProcessAlive(pid_t pid) {
  if (pid <= 0 || ::kill(pid, 0) != 0) return false;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string content;
  std::getline(stat, content);
  const auto close = content.rfind(')');
  return close == std::string::npos || close + 2 >= content.size() || content[close + 2] != 'Z';
}

std::vector<int> DiscoverGpus() {
  // nvidia-smi prints one index per GPU; no binary, no driver or no GPU gives nothing.
  FILE* pipe = ::popen("nvidia-smi --query-gpu=index --format=csv,noheader 2>/dev/null", "r");
  if (!pipe) return {};
  std::vector<int> out;
  char line[64];
  while (std::fgets(line, sizeof line, pipe)) {
    char* end = nullptr;
    const long idx = std::strtol(line, &end, 10);
    if (end != line) out.push_back(static_cast<int>(idx));
  }
  const int rc = ::pclose(pipe);
  if (rc != 0) return {};
  return out;
}

// How long a launched supervisor may take to claim its run before Poll gives up on it.
constexpr auto kStartupTimeout = std::chrono::seconds(30);

// Seconds from the file's last change to `now`, or nullopt if it does not exist.
std::optional<std::chrono::seconds> Age(const std::string& path, UnixSeconds now) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return std::chrono::seconds(now - st.st_mtime);
}

// exit.json, as the supervisor wrote it.
RunEnd EndOf(bool failed_to_start, const std::string& reason) {
  if (failed_to_start) return RunEnd::kFailedToStart;
  if (reason == run_files::kReasonTimeLimit) return RunEnd::kTimeLimit;
  if (reason == run_files::kReasonStopped) return RunEnd::kStopped;
  return RunEnd::kExited;
}

std::string EventsPath(const std::string& jobs_dir) { return jobs_dir + "/events"; }

class LocalExecutor final : public Executor {
 public:
  LocalExecutor(LocalExecutorOptions options, const Clock& clock, std::vector<int> gpus,
                int events_fd)
      : options_(std::move(options)), clock_(clock), gpus_(std::move(gpus)), events_fd_(events_fd) {
    if (events_fd_ >= 0) watcher_ = std::thread([this] { WatchEvents(); });
  }

  ~LocalExecutor() override {
    stopping_ = true;
    if (events_fd_ >= 0) {
      const char wake = 'q';
      (void)!::write(events_fd_, &wake, 1);
      watcher_.join();
      ::close(events_fd_);
    }
  }

  LocalExecutor(const LocalExecutor&) = delete;
  LocalExecutor& operator=(const LocalExecutor&) = delete;

  // One node: this machine.
  std::vector<ExecNode> Nodes() const override { return {{"local", gpus_, true, "up", ""}}; }

  void OnChange(std::function<void()> callback) override {
    std::lock_guard lock(callback_mu_);
    callback_ = std::move(callback);
  }

  Status Start(const LaunchSpec& spec) override {
    const JobAccount account = QS_TRY(ResolveJobAccount(options_.job_users, spec.owner));
    const std::string job_dir = JobDir(options_.jobs_dir, spec.job_id);
    const std::string run_dir = RunDir(options_.jobs_dir, spec.job_id, spec.run);
    const std::string work_dir =
        (fs::path(options_.work_root) / std::to_string(spec.job_id)).string();
    std::error_code ec;
    fs::create_directories(run_dir, ec);
    if (ec) return Fail(ErrorCode::kInternal, "cannot create " + run_dir + ": " + ec.message());
    // The job's whole environment: the server's own never reaches it.
    json env = json::object();
    for (const char* name : {"PATH", "LANG", "LC_ALL", "TZ"}) {
      if (const char* value = std::getenv(name)) env[name] = value;
    }
    if (!env.contains("PATH")) env["PATH"] = "/usr/local/bin:/usr/bin:/bin";
    env["HOME"] = account.home;
    env["USER"] = account.name;
    env["LOGNAME"] = account.name;
    for (const auto& [k, v] : spec.env) env[k] = v;
    std::string visible;
    for (std::size_t i = 0; i < spec.gpus.size(); ++i) {
      visible += (i ? "," : "") + std::to_string(spec.gpus[i]);
    }
    env["CUDA_VISIBLE_DEVICES"] = visible;
    env["QIUSUO_JOB_ID"] = std::to_string(spec.job_id);
    env["QIUSUO_RESTART_COUNT"] = std::to_string(spec.run);
    env["QIUSUO_CHECKPOINT_DIR"] = work_dir + "/checkpoint";
    const json doc = {
        {"argv", spec.argv},
        {"env", env},
        {"workdir", spec.workdir},
        {"work_dir", work_dir},
        {"checkpoint", work_dir + "/checkpoint"},
        {"user",
         {{"name", account.name},
          {"uid", account.uid},
          {"gid", account.gid},
          {"groups", account.groups}}},
        {"allow_root", options_.job_users.allow_root},
        {"log_max_bytes", options_.log_max_bytes},
        {"time_limit_s", spec.time_limit_s ? json(*spec.time_limit_s) : json(nullptr)},
        {"grace_s", spec.grace_s},
        {"stdout", (fs::path(job_dir) / "stdout.log").string()},
        {"stderr", (fs::path(job_dir) / "stderr.log").string()},
        {"events", EventsPath(options_.jobs_dir)}};
    // Written whole before the supervisor exists to read it; no rename needed.
    QS_TRY_STATUS(run_files::Write(run_dir + "/spec.json", doc.dump()));

    // posix_spawn (no copy of the server's address space) in a new session, with
    // nothing of ours inherited but /dev/null; the shim detaches by forking once, and
    // we reap the first process, which exits at once.
    posix_spawn_file_actions_t files;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&files);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
    sigset_t none;
    sigemptyset(&none);
    posix_spawnattr_setsigmask(&attr, &none);
    for (int fd = 0; fd < 3; ++fd)
      posix_spawn_file_actions_addopen(&files, fd, "/dev/null", O_RDWR, 0);
    posix_spawn_file_actions_addclosefrom_np(&files, 3);
    std::string shim = options_.shim_binary;
    std::string dir = run_dir;
    char* argv[] = {shim.data(), dir.data(), nullptr};
    pid_t first = 0;
    const int rc = ::posix_spawn(&first, shim.c_str(), &files, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&files);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot run the job supervisor " + shim + ": " + std::strerror(rc));
    }
    int status = 0;
    while (::waitpid(first, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      return Fail(ErrorCode::kUnavailable, "the job supervisor " + shim + " did not start");
    }
    return {};
  }

  Result<RunStatus> Poll(std::int64_t job_id, int run) override {
    const std::string run_dir = RunDir(options_.jobs_dir, job_id, run);
    RunStatus st;
    if (auto text = ReadAll(run_dir + "/exit.json")) {
      const json doc = json::parse(*text, nullptr, false);
      if (doc.is_discarded()) return Internal(run_dir + "/exit.json is corrupt");
      st.state = RunStatus::State::kExited;
      st.exit_code = doc.value("exit_code", -1);
      st.signal = doc.value("signal", 0);
      st.reason = doc.value("reason", "");
      st.end = EndOf(doc.value("failed_to_start", false), st.reason);
      return st;
    }
    // The claim holds the supervisor's pid, or "lost" if we gave up on it, or is
    // missing (or empty, for an instant) while the supervisor is on its way.
    const std::string claim = run_dir + "/claim";
    const auto claim_text = ReadAll(claim);
    const pid_t pid = claim_text ? static_cast<pid_t>(std::atoi(claim_text->c_str())) : 0;
    if (pid > 0 && ProcessAlive(pid)) return st;
    if (pid <= 0 && !(claim_text && claim_text->starts_with("lost"))) {
      // Launched moments ago: still starting. Launched long ago, or never (a server
      // killed between recording the start and launching it): claim the run, so that
      // a late supervisor will not run it, and report it lost.
      const auto age = Age(claim_text ? claim : run_dir + "/spec.json", clock_.Now());
      if (age && *age < kStartupTimeout) return st;
      if (!claim_text && !run_files::Claim(claim, "lost\n") && Exists(claim)) {
        return Poll(job_id, run);  // a supervisor claimed it just now
      }
      // Claimed as lost by us, or no run directory at all: nobody ever ran it.
      st.never_ran = !claim_text || claim_text->starts_with("lost");
    }
    // No exit record and no live supervisor: it was killed, or never started. Check
    // once more for a record written between the two reads.
    if (Exists(run_dir + "/exit.json")) return Poll(job_id, run);
    st.state = RunStatus::State::kLost;
    st.reason =
        pid > 0 ? "the job's supervisor died without an exit status" : "the job never started";
    return st;
  }

  Status Stop(std::int64_t job_id, int run) override {
    const std::string run_dir = RunDir(options_.jobs_dir, job_id, run);
    // Left first, for a supervisor still starting: it looks for this after writing its
    // claim, so either it sees the request or we see its pid below.
    if (!CreateExclusive(run_dir + "/stop") && !Exists(run_dir + "/stop")) {
      return Internal("cannot write " + run_dir + "/stop: " + std::strerror(errno));
    }
    auto claim_text = ReadAll(run_dir + "/claim");
    const pid_t pid = claim_text ? static_cast<pid_t>(std::atoi(claim_text->c_str())) : 0;
    if (pid <= 0) return {};
    if (!ProcessAlive(pid)) {
      // The supervisor is gone but the job's process group may not be: end it.
      if (auto pgid = ReadAll(run_dir + "/pgid")) {
        const pid_t group = static_cast<pid_t>(std::atoi(pgid->c_str()));
        if (group > 1) ::kill(-group, SIGKILL);
      }
      return {};
    }
    if (::kill(pid, SIGTERM) != 0 && errno != ESRCH) {
      return Internal(std::string("cannot signal the job's supervisor: ") + std::strerror(errno));
    }
    return {};
  }

  std::string LogPath(std::int64_t job_id, bool stderr_stream) const override {
    return (fs::path(JobDir(options_.jobs_dir, job_id)) /
            (stderr_stream ? "stderr.log" : "stdout.log"))
        .string();
  }

 private:
  // Supervisors write a byte to DATA/jobs/events when their run ends. We hold the
  // FIFO open for reading and writing, so it never reports end of file, and a
  // supervisor finding no reader (the server is down) just carries on.
  void WatchEvents() {
    char buf[256];
    while (!stopping_) {
      const ssize_t n = ::read(events_fd_, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0 || stopping_) break;
      std::lock_guard lock(callback_mu_);
      if (callback_) callback_();
    }
  }

  LocalExecutorOptions options_;
  const Clock& clock_;
  std::vector<int> gpus_;
  int events_fd_ = -1;
  std::atomic<bool> stopping_ = false;
  std::thread watcher_;
  std::mutex callback_mu_;
  std::function<void()> callback_;
};

}  // namespace

Result<std::unique_ptr<Executor>> MakeLocalExecutor(const LocalExecutorOptions& options,
                                                    const Clock& clock) {
  if (options.jobs_dir.empty())
    return InvalidArgument("jobs_dir", "the executor needs a jobs directory");
  LocalExecutorOptions resolved = options;
  if (resolved.work_root.empty()) resolved.work_root = options.jobs_dir + "-work";
  if (resolved.log_max_bytes < 1)
    return InvalidArgument("job_log_max_bytes", "the job log cap is a positive number of bytes");
  std::error_code ec;
  fs::create_directories(options.jobs_dir, ec);
  if (ec)
    return Fail(ErrorCode::kUnavailable, "cannot create " + options.jobs_dir + ": " + ec.message());
  // The server's alone: logs and run files (specs hold the jobs' environments).
  fs::permissions(options.jobs_dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  // Jobs reach their own WORK/<id> through it, and list nothing.
  fs::create_directories(resolved.work_root, ec);
  if (!ec) {
    fs::permissions(resolved.work_root,
                    fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec,
                    fs::perm_options::replace, ec);
  }
  if (ec) {
    return Fail(ErrorCode::kUnavailable, "cannot create the jobs' work directory " +
                                             resolved.work_root + ": " + ec.message());
  }
  std::vector<int> gpus = options.discover_gpus ? DiscoverGpus() : std::vector<int>{};
  if (gpus.empty()) {
    for (int i = 0; i < options.virtual_gpus; ++i) gpus.push_back(i);
  }
  const std::string events = EventsPath(options.jobs_dir);
  if (::mkfifo(events.c_str(), 0600) != 0 && errno != EEXIST)
    return Fail(ErrorCode::kUnavailable, "cannot create " + events + ": " + std::strerror(errno));
  const int events_fd = ::open(events.c_str(), O_RDWR | O_CLOEXEC);
  if (events_fd < 0)
    return Fail(ErrorCode::kUnavailable, "cannot open " + events + ": " + std::strerror(errno));
  return std::unique_ptr<Executor>(
      new LocalExecutor(std::move(resolved), clock, std::move(gpus), events_fd));
}

}  // namespace qiusuo
