#include "exec/local/local_executor.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

namespace qiusuo {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

std::string JobDir(const std::string& jobs_dir, std::int64_t job_id) {
  return (fs::path(jobs_dir) / std::to_string(job_id)).string();
}
std::string RunDir(const std::string& jobs_dir, std::int64_t job_id, int run) {
  return (fs::path(JobDir(jobs_dir, job_id)) / ("run-" + std::to_string(run))).string();
}

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream f(path);
  if (!f) return NotFound("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status WriteAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return Internal("cannot write " + tmp);
    f << content;
    f.flush();
    if (!f) return Internal("cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Internal("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  return {};
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

class LocalExecutor final : public Executor {
 public:
  LocalExecutor(LocalExecutorOptions options, std::vector<int> gpus)
      : options_(std::move(options)), gpus_(std::move(gpus)) {}

  std::vector<int> Gpus() const override { return gpus_; }

  Status Start(const LaunchSpec& spec) override {
    const std::string job_dir = JobDir(options_.jobs_dir, spec.job_id);
    const std::string run_dir = RunDir(options_.jobs_dir, spec.job_id, spec.run);
    std::error_code ec;
    fs::create_directories(fs::path(job_dir) / "checkpoint", ec);
    fs::create_directories(run_dir, ec);
    if (ec) return Fail(ErrorCode::kInternal, "cannot create " + run_dir + ": " + ec.message());
    json env = json::object();
    for (const auto& [k, v] : spec.env) env[k] = v;
    std::string visible;
    for (std::size_t i = 0; i < spec.gpus.size(); ++i) {
      visible += (i ? "," : "") + std::to_string(spec.gpus[i]);
    }
    env["CUDA_VISIBLE_DEVICES"] = visible;
    env["QIUSUO_JOB_ID"] = std::to_string(spec.job_id);
    env["QIUSUO_RESTART_COUNT"] = std::to_string(spec.run);
    env["QIUSUO_CHECKPOINT_DIR"] = (fs::path(job_dir) / "checkpoint").string();
    const json doc = {
        {"argv", spec.argv},
        {"env", env},
        {"workdir", spec.workdir},
        {"time_limit_s", spec.time_limit_s ? json(*spec.time_limit_s) : json(nullptr)},
        {"grace_s", spec.grace_s},
        {"stdout", (fs::path(job_dir) / "stdout.log").string()},
        {"stderr", (fs::path(job_dir) / "stderr.log").string()}};
    QS_TRY_STATUS(WriteAtomically(run_dir + "/spec.json", doc.dump()));

    // Double fork: the supervisor belongs to no one but init, in a session of its own.
    const pid_t first = ::fork();
    if (first < 0)
      return Fail(ErrorCode::kUnavailable, std::string("fork: ") + std::strerror(errno));
    if (first == 0) {
      ::setsid();
      const pid_t second = ::fork();
      if (second != 0) ::_exit(second < 0 ? 1 : 0);
      const int devnull = ::open("/dev/null", O_RDWR);
      if (devnull >= 0) {
        ::dup2(devnull, 0);
        ::dup2(devnull, 1);
        ::dup2(devnull, 2);
      }
      for (int fd = 3; fd < 1024; ++fd) ::close(fd);
      ::execl(options_.shim_binary.c_str(), options_.shim_binary.c_str(), "shim", run_dir.c_str(),
              static_cast<char*>(nullptr));
      ::_exit(127);
    }
    int status = 0;
    ::waitpid(first, &status, 0);
    // Return once the job's process group exists (or the run already ended), so that
    // from here on Poll and Stop can always find it. Generous for a loaded machine.
    for (int attempt = 0; attempt < 5000; ++attempt) {
      if (fs::exists(run_dir + "/pgid") || fs::exists(run_dir + "/exit.json")) return {};
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return Fail(ErrorCode::kInternal,
                "the job supervisor did not start (" + options_.shim_binary + ")");
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
      st.failed_to_start = doc.value("failed_to_start", false);
      st.reason = doc.value("reason", "");
      return st;
    }
    auto pid_text = ReadAll(run_dir + "/pid");
    if (pid_text && ProcessAlive(static_cast<pid_t>(std::atoi(pid_text->c_str())))) return st;
    // No exit record and no live supervisor: it was killed, or never started. Check
    // once more for a record written between the two reads.
    if (fs::exists(run_dir + "/exit.json")) return Poll(job_id, run);
    st.state = RunStatus::State::kLost;
    st.reason =
        pid_text ? "the job's supervisor died without an exit status" : "the job never started";
    return st;
  }

  Status Stop(std::int64_t job_id, int run) override {
    auto pid_text = ReadAll(RunDir(options_.jobs_dir, job_id, run) + "/pid");
    if (!pid_text) return NotFound("job " + std::to_string(job_id) + " has no running supervisor");
    const pid_t pid = static_cast<pid_t>(std::atoi(pid_text->c_str()));
    if (!ProcessAlive(pid)) {
      // The supervisor is gone but the job's process group may not be: end it.
      if (auto pgid = ReadAll(RunDir(options_.jobs_dir, job_id, run) + "/pgid")) {
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
  LocalExecutorOptions options_;
  std::vector<int> gpus_;
};

// ---- the supervisor ------------------------------------------------------------

volatile sig_atomic_t g_stop_requested = 0;
void OnStop(int) { g_stop_requested = 1; }

void WriteExit(const std::string& run_dir, const json& doc) {
  (void)WriteAtomically(run_dir + "/exit.json", doc.dump());
}

}  // namespace

Result<std::unique_ptr<Executor>> MakeLocalExecutor(const LocalExecutorOptions& options) {
  if (options.jobs_dir.empty())
    return InvalidArgument("jobs_dir", "the executor needs a jobs directory");
  std::error_code ec;
  fs::create_directories(options.jobs_dir, ec);
  if (ec)
    return Fail(ErrorCode::kUnavailable, "cannot create " + options.jobs_dir + ": " + ec.message());
  std::vector<int> gpus = options.discover_gpus ? DiscoverGpus() : std::vector<int>{};
  if (gpus.empty()) {
    for (int i = 0; i < options.virtual_gpus; ++i) gpus.push_back(i);
  }
  return std::unique_ptr<Executor>(new LocalExecutor(options, std::move(gpus)));
}

int RunShim(const std::string& run_dir) {
  {
    std::ofstream pid(run_dir + "/pid.tmp");
    pid << ::getpid() << "\n";
  }
  std::rename((run_dir + "/pid.tmp").c_str(), (run_dir + "/pid").c_str());
  auto text = ReadAll(run_dir + "/spec.json");
  const json spec = text ? json::parse(*text, nullptr, false) : json();
  if (!text || spec.is_discarded() || !spec.contains("argv") || spec["argv"].empty()) {
    WriteExit(run_dir, {{"exit_code", 127},
                        {"signal", 0},
                        {"failed_to_start", true},
                        {"reason", "cannot start: the run's spec.json is missing or corrupt"}});
    return 1;
  }
  struct sigaction sa {};
  sa.sa_handler = OnStop;
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGINT, &sa, nullptr);

  // The child reports a failed chdir/exec through a close-on-exec pipe.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return 1;
  const pid_t child = ::fork();
  if (child == 0) {
    ::setpgid(0, 0);
    auto fail = [&](const std::string& what) {
      const std::string msg = what + ": " + std::strerror(errno);
      (void)!::write(report[1], msg.data(), msg.size());
      ::_exit(127);
    };
    const std::string workdir = spec.value("workdir", "");
    if (!workdir.empty() && ::chdir(workdir.c_str()) != 0) fail("workdir " + workdir);
    const int out =
        ::open(spec.value("stdout", "/dev/null").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    const int err =
        ::open(spec.value("stderr", "/dev/null").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0 || err < 0) fail("log files");
    ::dup2(out, 1);
    ::dup2(err, 2);
    for (const auto& [k, v] : spec["env"].items())
      ::setenv(k.c_str(), v.get<std::string>().c_str(), 1);
    std::vector<std::string> args = spec["argv"].get<std::vector<std::string>>();
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    ::sigaction(SIGTERM, &dfl, nullptr);
    ::sigaction(SIGINT, &dfl, nullptr);
    ::execvp(argv[0], argv.data());
    fail("cannot run " + args[0]);
  }
  ::close(report[1]);
  if (child < 0) {
    WriteExit(run_dir, {{"exit_code", 127},
                        {"signal", 0},
                        {"failed_to_start", true},
                        {"reason", std::string("cannot start: fork: ") + std::strerror(errno)}});
    return 1;
  }
  ::setpgid(child, child);
  {
    std::ofstream pgid(run_dir + "/pgid");
    pgid << child << "\n";
  }
  char buf[512];
  const ssize_t n = ::read(report[0], buf, sizeof buf);
  ::close(report[0]);
  if (n > 0) {
    int status = 0;
    ::waitpid(child, &status, 0);
    WriteExit(run_dir,
              {{"exit_code", 127},
               {"signal", 0},
               {"failed_to_start", true},
               {"reason", "cannot start: " + std::string(buf, static_cast<std::size_t>(n))}});
    return 0;
  }

  using Clock = std::chrono::steady_clock;
  const auto started = Clock::now();
  const std::int64_t grace = spec.value("grace_s", 30);
  std::optional<Clock::time_point> limit;
  if (spec.contains("time_limit_s") && spec["time_limit_s"].is_number()) {
    limit = started + std::chrono::seconds(spec["time_limit_s"].get<std::int64_t>());
  }
  std::string stop_reason;
  std::optional<Clock::time_point> kill_at;
  int status = 0;
  while (true) {
    const pid_t done = ::waitpid(child, &status, WNOHANG);
    if (done == child) break;
    const auto now = Clock::now();
    if (stop_reason.empty() && (g_stop_requested || (limit && now >= *limit))) {
      stop_reason = g_stop_requested ? "stopped" : "time limit";
      ::kill(-child, SIGTERM);
      kill_at = now + std::chrono::seconds(grace);
    }
    if (kill_at && now >= *kill_at) {
      ::kill(-child, SIGKILL);
      kill_at.reset();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  // Whatever the job left in its process group goes with it.
  ::kill(-child, SIGKILL);
  json exit_doc = {{"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)},
                   {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0},
                   {"failed_to_start", false},
                   {"reason", stop_reason.empty() ? "exited" : stop_reason}};
  WriteExit(run_dir, exit_doc);
  return 0;
}

}  // namespace qiusuo
