#pragma once
// What the Slurm executor writes for Slurm and reads back from it, as pure functions:
// job names, the text of squeue and sinfo, node lists, the job wrapper script and the
// files it leaves. No process, no file: slurm_executor.cc does the I/O.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "exec/executor.h"
#include "exec/job_user.h"

namespace qiusuo::slurm {

// A run's Slurm job name, "<prefix>-<job>-<run>": the key that finds it again after
// any crash, on either side.
std::string RunName(std::string_view prefix, std::int64_t job_id, int run);
std::optional<RunKey> ParseRunName(std::string_view prefix, std::string_view name);

// "n[1-3,7],gpu01" -> n1 n2 n3 n7 gpu01 (zero padding kept). Malformed text gives
// the pieces it could read.
std::vector<std::string> ExpandHostlist(std::string_view list);

// GPUs in a GRES string: "gpu:4", "gpu:a100:8(S:0-1)", "gpu:2,shard:8" (-> 4, 8, 2).
int GpuCount(std::string_view gres);

// The squeue format the executor asks for, and one job of its output.
inline constexpr std::string_view kSqueueFormat = "%i|%j|%T|%N|%r";
struct JobRow {
  std::int64_t id = 0;
  std::string name;
  std::string state;  // PENDING, RUNNING, COMPLETED, CANCELLED, NODE_FAIL, ...
  std::vector<std::string> nodes;
  std::string reason;  // None, Resources, JobHeldUser, ...
};
std::vector<JobRow> ParseSqueue(std::string_view text);

// The sinfo format (one line per node with -N), and the nodes it lists. GPU numbers
// run across the nodes in the order given.
inline constexpr std::string_view kSinfoFormat = "%N|%T|%G|%E";
std::vector<ExecNode> ParseSinfo(std::string_view text);

// Whether a job in this state still holds (or may yet take) its nodes.
bool IsActiveState(std::string_view state);
// Whether a node in this sinfo state (%T, e.g. "mixed", "drained", "down*") takes new jobs.
bool NodeTakesJobs(std::string_view state);

// A string as one word for bash: 'it'\''s'.
std::string ShellQuote(std::string_view s);

// Files of one run in the shared job directory (DIR/jobs/<job>/).
struct RunFiles {
  std::string job_dir;
  int run = 0;
  std::string Script() const;   // run-<k>.sh, the batch script
  std::string Started() const;  // run-<k>.started: written when the wrapper begins
  std::string Exit() const;     // run-<k>.exit: how the command ended
  std::string Stop() const;     // run-<k>.stop: Qiusuo asked it to stop (and why)
  std::string Checkpoint() const;
  std::string Log(bool stderr_stream) const;
};

// The batch script for a run: records its start, goes to the workdir, checks the
// program is there, exports the job's variables and runs the command with srun, one
// task per node, then writes how it ended. Slurm sets CUDA_VISIBLE_DEVICES. The
// script and each rank's shell run as the submitting user (root: the server); the
// command itself runs as `account` (setpriv: groups, gid, uid, no new privileges),
// its stdout and stderr each cut at `log_max_bytes` per rank.
std::string BatchScript(const LaunchSpec& spec, const RunFiles& files, const JobAccount& account,
                        std::int64_t log_max_bytes);

// What the wrapper left in run-<k>.exit.
struct ExitRecord {
  bool started = true;  // false: the program or workdir was missing
  int exit_code = 0;
  int signal = 0;
  std::string reason;  // why it could not start
};
std::optional<ExitRecord> ParseExitRecord(std::string_view text);

// sbatch's time limit for a run limited to `seconds` plus its grace: whole minutes,
// rounded up, with a minute to spare, since the executor stops it at the limit itself.
std::string SbatchTimeLimit(std::int64_t seconds, std::int64_t grace_s);

// Whether an error printed by a Slurm command means "try again later" (the controller
// did not answer) rather than "this request is wrong".
bool IsTransientError(std::string_view message);

}  // namespace qiusuo::slurm
