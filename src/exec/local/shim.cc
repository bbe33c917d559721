// qiusuo-shim RUN_DIR: the supervisor the local executor starts for each run of a
// job. It is its own small, statically linked program because one runs beside every
// job: it starts in well under a millisecond and holds little memory.
//
// It detaches (the server that launched it is not its parent), claims the run and,
// still privileged, opens the job's logs and makes its work directory (owned by the
// job's account). It starts the job in a process group of its own, after dropping to
// the job's account (supplementary groups, gid, uid, then no way back), with a clean
// environment. It copies the job's output into the logs up to the cap, enforces the
// time limit, turns SIGTERM into SIGTERM-grace-SIGKILL for every descendant, and, as
// a child subreaper, ends every process the job left behind (setsid included) before
// it writes exit.json and wakes the server through the events FIFO.

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
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

// The job's processes: every descendant of this supervisor, found by walking /proc
// (a process that called setsid is still one: as a child subreaper we adopt the
// orphans, so nothing the job starts leaves the tree).
std::vector<pid_t> Descendants() {
  std::map<pid_t, std::vector<pid_t>> children;
  if (DIR* proc = ::opendir("/proc")) {
    while (const dirent* entry = ::readdir(proc)) {
      char* end = nullptr;
      const long pid = std::strtol(entry->d_name, &end, 10);
      if (pid <= 0 || *end != '\0') continue;
      std::ifstream stat(std::string("/proc/") + entry->d_name + "/stat");
      std::string content;
      std::getline(stat, content);
      const auto close = content.rfind(')');
      if (close == std::string::npos || close + 4 >= content.size()) continue;
      const pid_t ppid = static_cast<pid_t>(std::atol(content.c_str() + close + 4));
      children[ppid].push_back(static_cast<pid_t>(pid));
    }
    ::closedir(proc);
  }
  std::vector<pid_t> out;
  std::vector<pid_t> todo = {::getpid()};
  while (!todo.empty()) {
    const pid_t parent = todo.back();
    todo.pop_back();
    for (pid_t kid : children[parent]) {
      out.push_back(kid);
      todo.push_back(kid);
    }
  }
  return out;
}

void SignalJob(pid_t group, int sig) {
  ::kill(-group, sig);
  for (pid_t pid : Descendants()) ::kill(pid, sig);
}

// One of the job's output streams: a pipe from the job, copied into its log file up
// to `cap` bytes (the file's size, over all runs); then one line says so and the rest
// is read and discarded, so the job neither blocks nor dies of a closed pipe.
struct LogPump {
  int from = -1;  // the pipe's read end; -1 once the job's side is closed
  int to = -1;    // the log file, O_APPEND
  std::int64_t size = 0;
  std::int64_t cap = 0;
  bool truncated = false;

  void Open(int pipe_read, int log, std::int64_t max_bytes) {
    from = pipe_read;
    to = log;
    cap = max_bytes;
    struct stat st {};
    size = ::fstat(log, &st) == 0 ? st.st_size : 0;
    truncated = size >= cap;  // an earlier run reached the cap and said so
  }

  // Copies what the pipe holds; false at end of file.
  bool Pump() {
    if (from < 0) return false;
    char buf[65536];
    const ssize_t n = ::read(from, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return true;
    if (n <= 0) {
      ::close(from);
      from = -1;
      return false;
    }
    std::int64_t keep = truncated ? 0 : std::min<std::int64_t>(n, cap - size);
    WriteAll(buf, static_cast<std::size_t>(keep));
    size += keep;
    if (keep < n && !truncated) {
      truncated = true;
      const std::string note = "\n[qiusuo] this log reached its cap of " + std::to_string(cap) +
                               " bytes (job_log_max_bytes); the rest of the job's output on "
                               "this stream is discarded, the job goes on\n";
      WriteAll(note.data(), note.size());
    }
    return true;
  }

  void WriteAll(const char* data, std::size_t n) {
    while (n > 0) {
      const ssize_t w = ::write(to, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return;  // a full disk loses output, never the job
      data += w;
      n -= static_cast<std::size_t>(w);
    }
  }
};

// Saturating: a limit of any size is a deadline, never an overflow into the past.
std::chrono::steady_clock::time_point After(std::chrono::steady_clock::time_point from,
                                            std::int64_t seconds) {
  using Clock = std::chrono::steady_clock;
  const auto room =
      std::chrono::duration_cast<std::chrono::seconds>(Clock::time_point::max() - from);
  if (seconds >= room.count()) return Clock::time_point::max();
  return from + std::chrono::seconds(std::max<std::int64_t>(0, seconds));
}

int Supervise(const std::string& run_dir) {
  // SIGTERM (a stop), SIGINT and SIGCHLD (the job ended) are read from a signalfd;
  // blocked from the first instruction so that none is lost.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGCHLD);
  sigset_t original;
  ::sigprocmask(SIG_BLOCK, &signals, &original);
  // The server may have given up on us already (see Poll): then the run is not ours.
  if (!run_files::Claim(run_dir + "/claim", std::to_string(::getpid()) + "\n")) return 0;
  // Orphans of the job become ours, so that none outlives it.
  ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  auto text = ReadAll(run_dir + "/spec.json");
  const json spec = text ? json::parse(*text, nullptr, false) : json();
  const std::string events =
      spec.is_object() && spec.contains("events") ? spec.value("events", "") : "";
  auto fail_to_start = [&](const std::string& reason) {
    WriteExit(run_dir, FailedToStart(reason));
    Notify(events);
    return 1;
  };
  if (!text || spec.is_discarded() || !spec.contains("argv") || spec["argv"].empty() ||
      !spec["argv"].is_array()) {
    return fail_to_start("cannot start: the run's spec.json is missing or corrupt");
  }
  // Never as the supervisor's own (the server's) user: the spec names the job's account.
  const json user = spec.value("user", json());
  if (!user.is_object() || !user.contains("uid") || !user.contains("gid")) {
    return fail_to_start("cannot start: the run names no job account to run as");
  }
  const auto uid = user["uid"].get<uid_t>();
  const auto gid = user["gid"].get<gid_t>();
  std::vector<gid_t> groups = user.value("groups", std::vector<gid_t>{gid});
  if (uid == 0 ? !spec.value("allow_root", false) : uid == ::geteuid()) {
    return fail_to_start("cannot start: refusing to run the job as uid " + std::to_string(uid) +
                         " (the supervisor's own, or root)");
  }
  if (Exists(run_dir + "/stop")) {  // stopped before it started: nothing to run
    WriteExit(run_dir, {{"exit_code", 128 + SIGTERM},
                        {"signal", SIGTERM},
                        {"failed_to_start", false},
                        {"reason", run_files::kReasonStopped}});
    Notify(events);
    return 0;
  }

  // Still privileged: the logs (the server's files; the job only ever sees a pipe)
  // and the job's work directory, which becomes the job account's.
  const int out_log = ::open(spec.value("stdout", "/dev/null").c_str(),
                             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  const int err_log = ::open(spec.value("stderr", "/dev/null").c_str(),
                             O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (out_log < 0 || err_log < 0) {
    return fail_to_start(std::string("cannot start: cannot open the job's logs: ") +
                         std::strerror(errno));
  }
  const std::string work_dir = spec.value("work_dir", "");
  if (!work_dir.empty()) {
    if ((::mkdir(work_dir.c_str(), 0700) != 0 && errno != EEXIST) ||
        ::lchown(work_dir.c_str(), uid, gid) != 0 || ::chmod(work_dir.c_str(), 0700) != 0) {
      return fail_to_start("cannot start: cannot prepare the job's directory " + work_dir + ": " +
                           std::strerror(errno));
    }
  }
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0 || ::pipe2(err_pipe, O_CLOEXEC) != 0) {
    return fail_to_start(std::string("cannot start: pipe: ") + std::strerror(errno));
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
    if (::dup2(out_pipe[1], 1) < 0 || ::dup2(err_pipe[1], 2) < 0) fail("output pipes");
    // Groups, then gid, then uid: each checked, and root must be out of reach after.
    if (::setgroups(groups.size(), groups.data()) != 0) fail("setgroups");
    if (::setgid(gid) != 0) fail("setgid " + std::to_string(gid));
    if (::setuid(uid) != 0) fail("setuid " + std::to_string(uid));
    if (uid != 0 && (::setuid(0) == 0 || ::seteuid(0) == 0 || ::getuid() != uid ||
                     ::geteuid() != uid || ::getgid() != gid || ::getegid() != gid)) {
      errno = EPERM;
      fail("the job could regain root after dropping to uid " + std::to_string(uid));
    }
    // No setuid program (sudo, su) lifts it back up either.
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail("no_new_privs");
    ::umask(022);
    const std::string checkpoint = spec.value("checkpoint", "");
    if (!checkpoint.empty() && ::mkdir(checkpoint.c_str(), 0700) != 0 && errno != EEXIST)
      fail("checkpoint directory " + checkpoint);
    const std::string workdir = spec.value("workdir", "");
    if (!workdir.empty() && ::chdir(workdir.c_str()) != 0)
      fail("workdir " + workdir + " (as " + user.value("name", std::string("the job account")) +
           ")");
    // Only what the spec gives: the server's own environment never reaches a job.
    ::clearenv();
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
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (child < 0) {
    return fail_to_start(std::string("cannot start: fork: ") + std::strerror(errno));
  }
  ::setpgid(child, child);
  {
    std::ofstream pgid(run_dir + "/pgid");
    pgid << child << "\n";
  }
  char buf[512];
  ssize_t n = 0;
  while ((n = ::read(report[0], buf, sizeof buf)) < 0 && errno == EINTR) {
  }
  ::close(report[0]);
  if (n > 0) {
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    WriteExit(run_dir,
              FailedToStart("cannot start: " + std::string(buf, static_cast<std::size_t>(n))));
    Notify(events);
    return 0;
  }

  const std::int64_t cap = spec.value("log_max_bytes", std::int64_t{1} << 30);
  LogPump pumps[2];
  pumps[0].Open(out_pipe[0], out_log, cap);
  pumps[1].Open(err_pipe[0], err_log, cap);
  const int signal_fd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);

  using Clock = std::chrono::steady_clock;
  constexpr auto kNever = Clock::time_point::max();
  const auto started = Clock::now();
  const std::int64_t grace = spec.value("grace_s", 30);
  auto limit = kNever;
  if (spec.contains("time_limit_s") && spec["time_limit_s"].is_number_integer()) {
    limit = After(started, spec["time_limit_s"].get<std::int64_t>());
  }
  std::string stop_reason;
  auto kill_at = kNever;
  int status = 0;
  bool child_done = false;
  bool stop_requested = false;
  // Reaps the job's main process and every orphan handed to us.
  auto reap = [&] {
    int st = 0;
    pid_t pid = 0;
    while ((pid = ::waitpid(-1, &st, WNOHANG)) > 0) {
      if (pid == child) {
        status = st;
        child_done = true;
      }
    }
  };
  // Waits for a signal or output, at most until `wake`.
  auto wait = [&](Clock::time_point wake) {
    const auto now = Clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::max(Clock::duration::zero(), wake - now))
                        .count();
    pollfd fds[3] = {
        {signal_fd, POLLIN, 0}, {pumps[0].from, POLLIN, 0}, {pumps[1].from, POLLIN, 0}};
    const int ready = ::poll(fds, 3, static_cast<int>(std::min<std::int64_t>(ms, 1000)) + 1);
    if (ready <= 0) return;
    if (fds[0].revents & POLLIN) {
      signalfd_siginfo info{};
      while (::read(signal_fd, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGTERM || info.ssi_signo == SIGINT) stop_requested = true;
      }
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) pumps[i].Pump();
    }
  };
  while (true) {
    reap();
    if (child_done) break;
    const auto now = Clock::now();
    if (stop_reason.empty() && (stop_requested || now >= limit)) {
      stop_reason = stop_requested ? run_files::kReasonStopped : run_files::kReasonTimeLimit;
      SignalJob(child, SIGTERM);
      kill_at = After(now, grace);
    }
    if (now >= kill_at) {
      SignalJob(child, SIGKILL);
      kill_at = kNever;
    }
    auto wake = std::min(now + std::chrono::seconds(1), kill_at);
    if (stop_reason.empty()) wake = std::min(wake, limit);
    wait(wake);
  }
  // The job is over when its main process is: whatever it left behind (in its group
  // or not) is killed, and the run is not reported ended until all of it is gone.
  while (true) {
    SignalJob(child, SIGKILL);
    reap();
    if (Descendants().empty()) break;
    wait(Clock::now() + std::chrono::milliseconds(10));
  }
  // Nobody is left to write: read what the pipes still hold.
  for (auto& pump : pumps) {
    while (pump.Pump()) {
    }
  }
  ::close(out_log);
  ::close(err_log);
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
