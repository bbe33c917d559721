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

Status Write(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::trunc);
  if (!f) return Internal("cannot write " + path);
  f << content;
  f.flush();
  if (!f) return Internal("cannot write " + path);
  return {};
}

Status WriteAtomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  QS_TRY_STATUS(Write(tmp, content));
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    return Internal("cannot rename " + tmp + ": " + std::strerror(errno));
  }
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
