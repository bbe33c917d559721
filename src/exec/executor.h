#pragma once
// One executor interface: start a job's run on given GPUs, ask how it is doing,
// stop it gracefully. local/ runs jobs as supervised processes on this machine;
// slurm/ runs each run as one Slurm job pinned to the nodes the scheduler chose.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace qiusuo {

// A machine the executor runs jobs on, and its GPUs. GPUs are numbered across the whole
// cluster (node after node), so a job's GPUs are a list of these numbers; the local
// executor's numbers are its device indices.
struct ExecNode {
  std::string name;
  std::vector<int> gpus;
  // False when new runs must not go there (drained, down, not responding); runs
  // already there go on.
  bool schedulable = true;
  std::string state;   // as the cluster says it: "idle", "mixed", "drained", ...
  std::string reason;  // why it is drained or down, as the operator or the cluster gave it
};

// Every GPU number of `nodes`, in order.
inline std::vector<int> AllGpus(const std::vector<ExecNode>& nodes) {
  std::vector<int> out;
  for (const auto& node : nodes) out.insert(out.end(), node.gpus.begin(), node.gpus.end());
  return out;
}

struct LaunchSpec {
  std::int64_t job_id = 0;
  int run = 0;  // 0 for the first run, then 1, 2, ... after each preemption
  std::vector<std::string> argv;
  std::vector<std::pair<std::string, std::string>> env;
  std::string workdir;
  std::optional<std::int64_t> time_limit_s;
  std::vector<int> gpus;  // GPU numbers (see ExecNode); local: CUDA_VISIBLE_DEVICES
  // Where the GPUs are: each node and how many of the job's GPUs are on it, in the
  // order of `gpus`. One entry for a job on one machine; a gang spans several.
  std::vector<std::pair<std::string, int>> nodes;
  std::int64_t grace_s = 30;  // SIGTERM, then this long, then SIGKILL
  // The member whose job it is: the executor runs it as that member's job account
  // (exec/job_user.h), never as the server's user.
  std::string owner;
};

// How a run that exited came to end.
enum class RunEnd {
  kExited,         // by itself: `exit_code`, or killed by `signal` from outside
  kStopped,        // after a Stop: SIGTERM, then SIGKILL once the grace period is over
  kTimeLimit,      // the supervisor stopped it at its time limit, the same way
  kFailedToStart,  // it never became a process (bad workdir, missing program): see reason
};

struct RunStatus {
  // kLost: it ended without an exit status and running it again would not help
  // (its supervisor died). kInterrupted: the cluster ended it, not the job (its node
  // failed, or it vanished after starting and left no exit status), so it runs again.
  enum class State { kRunning, kExited, kLost, kInterrupted };
  State state = State::kRunning;
  RunEnd end = RunEnd::kExited;  // valid when exited
  int exit_code = 0;             // valid when exited normally
  int signal = 0;                // the signal that ended it, if any
  // Lost before any supervisor took the run (the server died between recording the
  // start and launching it): the job never ran, so running it again runs it once.
  bool never_ran = false;
  std::string reason;  // for people: "exited", "time limit", "stopped", "cannot start: ..."
  // What the cluster says about the run, for the job's record: where a running run is
  // ("Slurm job 12 on n1,n2", "Slurm job 12 pending: Resources") or how the cluster
  // saw its end ("Slurm: NODE_FAIL"). Empty when the executor has nothing to add.
  std::string note;
};

// A run, as (job id, run number).
using RunKey = std::pair<std::int64_t, int>;

class Executor {
 public:
  virtual ~Executor() = default;
  // The machines and GPUs this executor can hand out, as it last saw them.
  virtual std::vector<ExecNode> Nodes() const = 0;
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
  // The runs the scheduler holds to be running after a pass. An executor that can find
  // runs nobody asked it for (a Slurm job left behind by a crash, or by a database
  // restored from an older backup) stops the others; the local executor finds none.
  virtual void Retain(const std::vector<RunKey>& runs) { (void)runs; }
};

}  // namespace qiusuo
