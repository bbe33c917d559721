#include "server/mailer.h"

#include <fcntl.h>
#include <spawn.h>
#include <spdlog/spdlog.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

extern char** environ;

namespace qiusuo::server {
namespace {

// Runs `command` with `message` on its stdin; its exit status decides. The pipe is
// close-on-exec, so no other process the server starts meanwhile holds its write
// end open and keeps the command waiting for the end of its input.
Status SendThroughCommand(const std::string& command, const std::string& message) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    return Fail(ErrorCode::kUnavailable,
                std::string("cannot run mail_command: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[0], STDIN_FILENO);
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  pid_t pid = 0;
  const int spawned =
      ::posix_spawn(&pid, "/bin/sh", &actions, nullptr, const_cast<char**>(argv), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(fds[0]);
  if (spawned != 0) {
    ::close(fds[1]);
    return Fail(ErrorCode::kUnavailable,
                std::string("cannot run mail_command: ") + std::strerror(spawned));
  }
  // EPIPE: the command exited without reading all of it; its exit status says
  // whether that was a failure.
  int write_error = 0;
  for (std::size_t offset = 0; offset < message.size();) {
    const ssize_t n = ::write(fds[1], message.data() + offset, message.size() - offset);
    if (n < 0) {
      if (errno == EINTR) continue;
      write_error = errno;
      break;
    }
    offset += static_cast<std::size_t>(n);
  }
  ::close(fds[1]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Fail(ErrorCode::kUnavailable, "lost the mail_command's process");
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || (write_error && write_error != EPIPE)) {
    return Fail(ErrorCode::kUnavailable, "the lab's mail_command failed; tell the operator");
  }
  return {};
}

}  // namespace

Mailer MakeCommandMailer(std::string command) {
  return [command = std::move(command)](const std::string& to, const std::string& subject,
                                        const std::string& body) -> Status {
    const Status sent =
        SendThroughCommand(command, "To: " + to + "\nSubject: " + subject + "\n\n" + body);
    if (!sent) spdlog::error("mail_command failed sending to {}: {}", to, sent.error().message);
    return sent;
  };
}

}  // namespace qiusuo::server
