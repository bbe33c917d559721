#pragma once
// Runs each job under a supervisor process of its own (`qiusuo-shim RUN_DIR`),
// started detached in its own session, so jobs keep running when the server
// restarts and the server reattaches by reading the run directory:
//
//   DATA/jobs/<id>/stdout.log, stderr.log   output of every run, appended
//   DATA/jobs/<id>/checkpoint/              kept across runs (QIUSUO_CHECKPOINT_DIR)
//   DATA/jobs/<id>/run-<k>/                 one run: see run_files.h
//   DATA/jobs/events                        a FIFO supervisors write to when a run ends

#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "exec/executor.h"

namespace qiusuo {

struct LocalExecutorOptions {
  std::string jobs_dir;     // DATA/jobs
  std::string shim_binary;  // qiusuo-shim, installed next to qiusuo; run as `<shim> <run dir>`
  int virtual_gpus = 8;     // slots to offer when nvidia-smi finds no GPU
  bool discover_gpus = true;
};

// `clock` (which must outlive the executor) times the start-up window of a run whose
// supervisor has not come up: 30 s after launching it, Poll gives up on it.
Result<std::unique_ptr<Executor>> MakeLocalExecutor(const LocalExecutorOptions& options,
                                                    const Clock& clock);

}  // namespace qiusuo
