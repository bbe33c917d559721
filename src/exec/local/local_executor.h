#pragma once
// Runs each job under a supervisor process of its own (`qiusuo-shim RUN_DIR`),
// started detached in its own session, so jobs keep running when the server
// restarts and the server reattaches by reading the run directory:
//
//   DATA/jobs/<id>/stdout.log, stderr.log   output of every run, appended (the server's)
//   DATA/jobs/<id>/run-<k>/                 one run: see run_files.h (the server's)
//   DATA/jobs/events                        a FIFO supervisors write to when a run ends
//   WORK/<id>/                              the job account's own (0700), kept across runs
//   WORK/<id>/checkpoint/                   QIUSUO_CHECKPOINT_DIR
//
// DATA is the server's alone; a job (which runs as its member's job account, see
// exec/job_user.h) sees only its output pipes, WORK/<id> and what its account may
// read. WORK is outside DATA, root-owned and 0711.

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "exec/executor.h"
#include "exec/job_user.h"

namespace qiusuo {

struct LocalExecutorOptions {
  std::string jobs_dir;     // DATA/jobs
  std::string shim_binary;  // qiusuo-shim, installed next to qiusuo; run as `<shim> <run dir>`
  int virtual_gpus = 8;     // slots to offer when nvidia-smi finds no GPU
  bool discover_gpus = true;
  JobUserConfig job_users;  // which account runs each member's job
  std::string work_root;    // WORK above; empty: <jobs_dir>-work
  // Each log file (stdout, stderr: over all runs) stops growing at this size.
  std::int64_t log_max_bytes = std::int64_t{1} << 30;
};

// `clock` (which must outlive the executor) times the start-up window of a run whose
// supervisor has not come up: 30 s after launching it, Poll gives up on it.
Result<std::unique_ptr<Executor>> MakeLocalExecutor(const LocalExecutorOptions& options,
                                                    const Clock& clock);

}  // namespace qiusuo
