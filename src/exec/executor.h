#pragma once
// One executor interface: start a job's run on given GPUs, ask how it is doing,
// stop it gracefully. local/ runs jobs as supervised processes on this machine;
// a Slurm executor will implement the same interface.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace qiusuo {

struct LaunchSpec {
  std::int64_t job_id = 0;
  int run = 0;  // 0 for the first run, then 1, 2, ... after each preemption
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir;
  std::optional<std::int64_t> time_limit_s;
  std::vector<int> gpus;      // device indices, exported as CUDA_VISIBLE_DEVICES
  std::int64_t grace_s = 30;  // SIGTERM, then this long, then SIGKILL
};

// How a run that exited came to end.
enum class RunEnd {
  kExited,         // by itself: `exit_code`, or killed by `signal` from outside
  kStopped,        // after a Stop: SIGTERM, then SIGKILL once the grace period is over
  kTimeLimit,      // the supervisor stopped it at its time limit, the same way
  kFailedToStart,  // it never became a process (bad workdir, missing program): see reason
};

struct RunStatus {
  enum class State { kRunning, kExited, kLost };
  State state = State::kRunning;
  RunEnd end = RunEnd::kExited;  // valid when exited
  int exit_code = 0;             // valid when exited normally
  int signal = 0;                // the signal that ended it, if any
  // Lost before any supervisor took the run (the server died between recording the
  // start and launching it): the job never ran, so running it again runs it once.
  bool never_ran = false;
  std::string reason;  // for people: "exited", "time limit", "stopped", "cannot start: ..."
};

class Executor {
 public:
  virtual ~Executor() = default;
  // GPU device indices this executor can hand out.
  virtual std::vector<int> Gpus() const = 0;
  // Launches the run and returns without waiting for it: until its supervisor is up,
  // Poll reports it running, and a Stop is kept for the supervisor to find. A job that
  // cannot start (bad workdir, missing program) is reported by Poll.
  virtual Status Start(const LaunchSpec& spec) = 0;
  virtual Result<RunStatus> Poll(std::int64_t job_id, int run) = 0;
  // Asks the run to stop: SIGTERM to its process group, SIGKILL after the grace period.
  virtual Status Stop(std::int64_t job_id, int run) = 0;
  // Calls `callback` (from another thread) whenever a run may have ended, so the
  // scheduler need not wait for its next timer. nullptr unregisters it.
  virtual void OnChange(std::function<void()> callback) = 0;
  // Where the job's output goes (all runs append to the same files).
  virtual std::string LogPath(std::int64_t job_id, bool stderr_stream) const = 0;
};

}  // namespace qiusuo
