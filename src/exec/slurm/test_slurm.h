#pragma once
// The throwaway Slurm cluster the tests run against (scripts/test-slurm, started by
// CTest as the `slurm` fixture): n1..n3 with 4 GPUs each, partition `qiusuo`.

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

namespace qiusuo::test_support {

// SLURM_CONF of the test cluster; fails the test (never skips it) when it is not up.
inline std::string TestSlurmConf() {
  std::ifstream f(std::string(QIUSUO_TEST_SLURM_STATE) + "/conf");
  std::string conf;
  std::getline(f, conf);
  if (conf.empty()) {
    ADD_FAILURE() << "no test Slurm: run this test through ctest (fixture slurm_up), or "
                     "scripts/test-slurm up " QIUSUO_TEST_SLURM_STATE;
  }
  return conf;
}

// Runs a Slurm tool on the test cluster; its output.
inline std::string SlurmTool(const std::string& command) {
  const std::string full = "SLURM_CONF=" + TestSlurmConf() + " timeout 20 " + command + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(full.c_str(), "r")) {
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    ::pclose(p);
  }
  return out;
}

// Cancels every job of the test cluster whose name starts with `prefix`-.
inline void CancelSlurmJobs(const std::string& prefix) {
  std::istringstream rows(SlurmTool("squeue -h -o '%i|%j'"));
  std::string ids;
  for (std::string row; std::getline(rows, row);) {
    const auto bar = row.find('|');
    if (bar != std::string::npos && row.compare(bar + 1, prefix.size() + 1, prefix + "-") == 0)
      ids += " " + row.substr(0, bar);
  }
  if (!ids.empty()) SlurmTool("scancel" + ids);
}

inline void TestSlurmScript(const std::string& verb) {
  const std::string cmd =
      std::string(QIUSUO_SOURCE_DIR "/scripts/test-slurm ") + verb + " " + QIUSUO_TEST_SLURM_STATE;
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
}

// A job name prefix no other test process uses, so tests never see each other's runs.
inline std::string UniquePrefix() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(::getpid()) + "x" + std::to_string(counter++);
}

}  // namespace qiusuo::test_support
