#include "exec/local/run_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace qiusuo::run_files {

Result<std::string> ReadAll(const std::string& path) {
  std::ifstream f(path);
  if (!f) return NotFound("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

namespace {

// Writes all of `content` to a new file (mode 0600: a run's files hold the job's
// environment) and, with `durable`, fsyncs it before closing.
Status WriteFile(const std::string& path, const std::string& content, bool durable) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write " + path + ": " + std::strerror(errno));
  std::size_t done = 0;
  while (done < content.size()) {
    const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Internal(std::string("cannot write ").append(path).append(": ").append(why));
    }
    done += static_cast<std::size_t>(n);
  }
  if (durable && ::fsync(fd) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return Internal("cannot fsync " + path + ": " + why);
  }
  if (::close(fd) != 0) return Internal("cannot write " + path + ": " + std::strerror(errno));
  return {};
}

}  // namespace

Status Write(const std::string& path, const std::string& content) {
  return WriteFile(path, content, false);
}

Status WriteAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  QS_TRY_STATUS(WriteFile(tmp, content, true));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Internal("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  // The rename itself is durable once the directory is.
  const auto slash = path.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  const int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Internal("cannot open " + dir + ": " + std::strerror(errno));
  const int rc = ::fsync(dir_fd);
  ::close(dir_fd);
  if (rc != 0) return Internal("cannot fsync " + dir + ": " + std::strerror(errno));
  return {};
}

bool Exists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

bool CreateExclusive(const std::string& path) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  ::close(fd);
  return true;
}

bool Claim(const std::string& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  (void)!::write(fd, content.data(), content.size());
  ::close(fd);
  return true;
}

}  // namespace qiusuo::run_files
