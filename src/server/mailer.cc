#include "server/mailer.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <thread>

extern char** environ;

namespace qiusuo::server {
namespace {

using Clock = std::chrono::steady_clock;

Status Unavailable(const std::string& why) {
  return Fail(ErrorCode::kUnavailable, "the lab's mail_command " + why + "; tell the operator");
}

// Milliseconds left until `deadline`, at least 0, for poll().
int MillisecondsLeft(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<std::int64_t>(left, 0, 60'000));
}

// Writes `message` to `fd` (non-blocking) until done, the reader goes (EPIPE) or the
// deadline passes. Returns 0 or the errno that stopped it (ETIMEDOUT at the deadline).
int WriteAll(int fd, std::string_view message, Clock::time_point deadline) {
  while (!message.empty()) {
    const ssize_t n = ::write(fd, message.data(), message.size());
    if (n >= 0) {
      message.remove_prefix(static_cast<std::size_t>(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return errno;
    pollfd ready{fd, POLLOUT, 0};
    const int left = MillisecondsLeft(deadline);
    if (left == 0) return ETIMEDOUT;
    if (::poll(&ready, 1, left) < 0 && errno != EINTR) return errno;
  }
  return 0;
}

// Waits for `pid` until the deadline; true with its status, false when it is still
// running then.
bool WaitUntil(pid_t pid, int& status, Clock::time_point deadline) {
  auto nap = std::chrono::milliseconds(1);
  while (true) {
    const pid_t done = ::waitpid(pid, &status, WNOHANG);
    if (done == pid) return true;
    if (done < 0 && errno != EINTR) {
      status = -1;  // not ours any more: nothing to wait for
      return true;
    }
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(nap);
    nap = std::min(nap * 2, std::chrono::milliseconds(50));
  }
}

// Runs `command` (/bin/sh -c, in a process group of its own) with `message` on its
// stdin; its exit status decides. The pipe is close-on-exec, so no other process the
// server starts meanwhile holds its write end open and keeps the command waiting for
// the end of its input. SIGPIPE is blocked in this thread while writing (and one it
// raised taken back), so a command that exits without reading is an EPIPE here,
// whatever the process does with SIGPIPE. Past `timeout` the command's whole group is
// killed.
Status SendThroughCommand(const std::string& command, const std::string& message,
                          std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Unavailable(std::string("cannot start (") + std::strerror(errno) + ")");
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  // The command gets the default SIGPIPE and no blocked signals, whatever the server has.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t defaults, none;
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setsigmask(&attributes, &none);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  const int spawned =
      ::posix_spawn(&pid, "/bin/sh", &actions, &attributes, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(fds[0]);
  if (spawned != 0) {
    ::close(fds[1]);
    return Unavailable(std::string("cannot start (") + std::strerror(spawned) + ")");
  }
  (void)::fcntl(fds[1], F_SETFL, O_NONBLOCK);

  sigset_t pipe_signal, previous;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &previous);
  const int write_error = WriteAll(fds[1], message, deadline);
  if (write_error == EPIPE) {
    const timespec now{0, 0};
    (void)::sigtimedwait(&pipe_signal, nullptr, &now);
  }
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  ::close(fds[1]);

  int status = 0;
  if (write_error == ETIMEDOUT || !WaitUntil(pid, status, deadline)) {
    ::kill(-pid, SIGKILL);
    (void)WaitUntil(pid, status, Clock::now() + std::chrono::seconds(5));
    return Unavailable("took longer than " + std::to_string(timeout.count()) + " ms and was ended");
  }
  // EPIPE: the command exited without reading all of it; its exit status says
  // whether that was a failure.
  if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Unavailable(status != -1 && WIFEXITED(status)
                           ? "failed (exit status " + std::to_string(WEXITSTATUS(status)) + ")"
                           : std::string("failed"));
  }
  if (write_error != 0 && write_error != EPIPE) {
    return Unavailable(std::string("could not be given the message (") +
                       std::strerror(write_error) + ")");
  }
  return {};
}

}  // namespace

Mailer MakeCommandMailer(std::string command, std::chrono::milliseconds timeout) {
  return [command = std::move(command), timeout](const std::string& to, const std::string& subject,
                                                 const std::string& body) -> Status {
    const Status sent =
        SendThroughCommand(command, "To: " + to + "\nSubject: " + subject + "\n\n" + body, timeout);
    if (!sent) spdlog::error("mail_command failed sending to {}: {}", to, sent.error().message);
    return sent;
  };
}

}  // namespace qiusuo::server
