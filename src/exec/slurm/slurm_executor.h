#pragma once
// Runs each run of a job as one Slurm job, pinned to the nodes the scheduler chose.
// Qiusuo decides, Slurm launches: Slurm's own priorities, preemption and requeue are
// not used. A run is submitted held under the name "<prefix>-<job>-<run>", recorded,
// then released; stopping it is SIGTERM to every rank (`scancel --signal=TERM`), the
// grace period, then `scancel`. Everything the executor needs to recover after a
// crash lives in Slurm (found by job name) and in the shared directory:
//
//   SHARED/jobs/<id>/stdout.log, stderr.log   output of every run, appended
//   SHARED/jobs/<id>/checkpoint/              kept across runs (QIUSUO_CHECKPOINT_DIR)
//   SHARED/jobs/<id>/run-<k>.sh               the batch script (slurm_text.h)
//   SHARED/jobs/<id>/run-<k>.started, .exit   written by the script on the node
//   SHARED/jobs/<id>/run-<k>.stop             Qiusuo asked the run to stop, and why
//
// One poller thread asks Slurm (squeue and sinfo, plain text, each call with a
// deadline) at most once per poll interval and carries out releases, kills after
// grace, time limits, resubmissions and the cancelling of runs nobody owns. A Slurm
// command that fails or times out means "unknown", never "failed".

#include <chrono>
#include <memory>
#include <string>

#include "exec/executor.h"
#include "exec/job_user.h"
#include "exec/slurm/command.h"

namespace qiusuo {

struct SlurmExecutorOptions {
  std::string partition = "qiusuo";
  std::string slurm_conf;         // SLURM_CONF for every Slurm command; empty: the environment's
  std::string shared_dir;         // the same path on the server and on every node (e.g. NFS)
  std::string job_prefix = "qs";  // labs that share a partition need different ones
  int cpus_per_gpu = 0;           // 0: Slurm's default
  long mem_per_gpu_mb = 0;        // 0: not asked for (then Slurm's DefMemPerGPU, if any)
  std::chrono::milliseconds poll_interval{1000};
  std::chrono::milliseconds command_timeout{10000};
  std::int64_t default_grace_s = 30;  // for a run adopted after a restart
  JobUserConfig job_users;            // which account runs each member's job
  // Each rank's stdout and stderr stop growing at this many bytes in the log.
  std::int64_t log_max_bytes = std::int64_t{1} << 30;
};

// Checks that the Slurm commands are there, the controller answers, the partition
// exists and has GPUs, and the shared directory is writable; each failure is one
// line saying what is wrong. `runner` runs the Slurm commands (nullptr: real processes).
Result<std::unique_ptr<Executor>> MakeSlurmExecutor(
    const SlurmExecutorOptions& options, std::unique_ptr<CommandRunner> runner = nullptr);

}  // namespace qiusuo
