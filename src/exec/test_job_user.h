#pragma once
// For tests that run real jobs: they run as the unprivileged account qiusuo-job
// (scripts/install-deps creates it; the tests make it if it is missing), which needs
// a server running as root. Without root such a test skips and says why.

#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "exec/job_user.h"

namespace qiusuo::test_support {

inline constexpr const char* kTestJobUser = "qiusuo-job";

// Why jobs cannot run here, or empty when they can (root, and qiusuo-job exists,
// created now if needed).
inline std::string JobAccountUnavailable() {
  if (::geteuid() != 0) {
    return "jobs run as the account qiusuo-job, never as the server's user, and switching "
           "to it needs root; run this test as root";
  }
  if (::getpwnam(kTestJobUser) == nullptr &&
      std::system("useradd --system --no-create-home --shell /usr/sbin/nologin qiusuo-job") != 0) {
    return "cannot create the account qiusuo-job (useradd failed)";
  }
  return "";
}

inline JobUserConfig TestJobUsers() { return {kTestJobUser, {}, false, false}; }

// A directory the job account may work in (cwd of the test's jobs), under `root`,
// which becomes traversable (0711) but not readable by it.
inline std::string JobWorkdir(const std::filesystem::path& root) {
  std::filesystem::permissions(root, std::filesystem::perms(0711),
                               std::filesystem::perm_options::replace);
  const auto work = root / "workdir";
  std::filesystem::create_directories(work);
  if (const passwd* pw = ::getpwnam(kTestJobUser)) {
    (void)!::chown(work.c_str(), pw->pw_uid, pw->pw_gid);
  }
  return work.string();
}

}  // namespace qiusuo::test_support
