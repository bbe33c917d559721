// qiusuo-shim RUN_DIR: the supervisor the local executor starts for each run of a
// job. It is its own small, statically linked program because one runs beside every
// job: it starts in well under a millisecond and holds little memory.
//
// It detaches (the server that launched it is not its parent), claims the run, starts
// the job in a process group of its own with its output appended to the job's logs,
// enforces the time limit, turns SIGTERM into SIGTERM-grace-SIGKILL for the whole
// group, writes exit.json and wakes the server through the events FIFO.

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "exec/local/run_files.h"

namespace qiusuo {
namespace {

using json = nlohmann::json;
using run_files::Exists;
using run_files::ReadAll;

void WriteExit(const std::string& run_dir, const json& doc) {
  (void)run_files::WriteAtomically(run_dir + "/exit.json", doc.dump());
}

// Tells a listening server that this run ended; nobody listening is fine.
void Notify(const std::string& events) {
  if (events.empty()) return;
  const int fd = ::open(events.c_str(), O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return;
  const char byte = 'x';
  (void)!::write(fd, &byte, 1);
  ::close(fd);
}

json FailedToStart(const std::string& reason) {
  return {{"exit_code", 127}, {"signal", 0}, {"failed_to_start", true}, {"reason", reason}};
}

int Supervise(const std::string& run_dir) {
  // SIGTERM (a stop), SIGINT and SIGCHLD (the job ended) are taken synchronously with
  // sigtimedwait below; blocked from the first instruction so that none is lost.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGCHLD);
  sigset_t original;
  ::sigprocmask(SIG_BLOCK, &signals, &original);
  // The server may have given up on us already (see Poll): then the run is not ours.
  if (!run_files::Claim(run_dir + "/claim", std::to_string(::getpid()) + "\n")) return 0;
  auto text = ReadAll(run_dir + "/spec.json");
  const json spec = text ? json::parse(*text, nullptr, false) : json();
  const std::string events =
      spec.is_object() && spec.contains("events") ? spec.value("events", "") : "";
  if (!text || spec.is_discarded() || !spec.contains("argv") || spec["argv"].empty()) {
    WriteExit(run_dir, FailedToStart("cannot start: the run's spec.json is missing or corrupt"));
    Notify(events);
    return 1;
  }
  if (Exists(run_dir + "/stop")) {  // stopped before it started: nothing to run
    WriteExit(run_dir, {{"exit_code", 128 + SIGTERM},
                        {"signal", SIGTERM},
                        {"failed_to_start", false},
                        {"reason", run_files::kReasonStopped}});
    Notify(events);
    return 0;
  }

  // The child reports a failed chdir/exec through a close-on-exec pipe.
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return 1;
  const pid_t child = ::fork();
  if (child == 0) {
    ::setpgid(0, 0);
    ::sigprocmask(SIG_SETMASK, &original, nullptr);
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
    ::execvp(argv[0], argv.data());
    fail("cannot run " + args[0]);
  }
  ::close(report[1]);
  if (child < 0) {
    WriteExit(run_dir, FailedToStart(std::string("cannot start: fork: ") + std::strerror(errno)));
    Notify(events);
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
              FailedToStart("cannot start: " + std::string(buf, static_cast<std::size_t>(n))));
    Notify(events);
    return 0;
  }

  using Clock = std::chrono::steady_clock;
  constexpr auto kNever = Clock::time_point::max();
  const auto started = Clock::now();
  const std::int64_t grace = spec.value("grace_s", 30);
  auto limit = kNever;
  if (spec.contains("time_limit_s") && spec["time_limit_s"].is_number()) {
    limit = started + std::chrono::seconds(spec["time_limit_s"].get<std::int64_t>());
  }
  std::string stop_reason;
  auto kill_at = kNever;
  int status = 0;
  bool stop_requested = false;
  while (::waitpid(child, &status, WNOHANG) != child) {
    const auto now = Clock::now();
    if (stop_reason.empty() && (stop_requested || now >= limit)) {
      stop_reason = stop_requested ? run_files::kReasonStopped : run_files::kReasonTimeLimit;
      ::kill(-child, SIGTERM);
      kill_at = now + std::chrono::seconds(grace);
    }
    if (now >= kill_at) {
      ::kill(-child, SIGKILL);
      kill_at = kNever;
    }
    // Sleep until a signal arrives or the next deadline, at most a second.
    auto wake = std::min(now + std::chrono::seconds(1), kill_at);
    if (stop_reason.empty()) wake = std::min(wake, limit);
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                        std::max(Clock::duration::zero(), wake - now))
                        .count();
    const timespec timeout{static_cast<time_t>(ns / 1000000000),
                           static_cast<long>(ns % 1000000000)};
    siginfo_t info{};
    const int sig = ::sigtimedwait(&signals, &info, &timeout);
    if (sig == SIGTERM || sig == SIGINT) stop_requested = true;
  }
  // Whatever the job left in its process group goes with it.
  ::kill(-child, SIGKILL);
  json exit_doc = {
      {"exit_code", WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status)},
      {"signal", WIFSIGNALED(status) ? WTERMSIG(status) : 0},
      {"failed_to_start", false},
      {"reason", stop_reason.empty() ? std::string(run_files::kReasonExited) : stop_reason}};
  WriteExit(run_dir, exit_doc);
  Notify(events);
  return 0;
}

}  // namespace
}  // namespace qiusuo

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: qiusuo-shim RUN_DIR (started by qiusuo serve, not by hand)\n");
    return 2;
  }
  // Detach: the launcher waits only for this first process, and the supervisor is
  // adopted by init, so it outlives a server that is restarted or killed.
  const pid_t supervisor = ::fork();
  if (supervisor != 0) return supervisor < 0 ? 1 : 0;
  return qiusuo::Supervise(argv[1]);
}
