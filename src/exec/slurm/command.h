#pragma once
// Runs a command-line tool and collects what it printed, with a deadline: the Slurm
// executor's only way to reach Slurm. A tool that does not answer in time is killed,
// and the caller learns it timed out (for Slurm: "unknown", never "failed").

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace qiusuo {

struct CommandResult {
  bool started = false;    // false: it could not be run at all (see out_err)
  bool timed_out = false;  // killed at the deadline
  int exit_code = -1;      // when it exited by itself
  std::string out;
  std::string err;

  bool ok() const { return started && !timed_out && exit_code == 0; }
  // One line for people: the tool's own error, else how it ended.
  std::string Describe() const;
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // argv[0] is looked up on PATH; `env` is added to (or replaces in) this process's
  // environment, or with `inherit_env` false is the whole environment.
  virtual CommandResult Run(const std::vector<std::string>& argv,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            std::chrono::milliseconds timeout, bool inherit_env = true) = 0;
};

// Runs real processes (posix_spawnp, its own process group, killed at the deadline).
class ProcessRunner final : public CommandRunner {
 public:
  CommandResult Run(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& env,
                    std::chrono::milliseconds timeout, bool inherit_env = true) override;
};

}  // namespace qiusuo
