#pragma once
// A GPU job as the lab records it, and its life as an explicit state machine:
// pending -> running -> succeeded | failed | cancelled. A waiting job (pending or
// preempted) may be cancelled at once. A running job is stopped by asking: a preempt
// or a cancel is recorded as its `stopping` and carried out when its run ends, then
// a preempted job goes back to the queue as `preempted` and runs again with its run
// number (restart count) up. NextJobPhase is the only place that decides
// transitions; the compute service calls nothing else.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/ids.h"

namespace qiusuo {

using JobId = StrongId<struct JobTag>;

enum class JobState { kPending, kRunning, kPreempted, kSucceeded, kFailed, kCancelled };

std::string_view JobStateName(JobState state);
std::optional<JobState> ParseJobState(std::string_view name);
inline bool IsFinal(JobState s) {
  return s == JobState::kSucceeded || s == JobState::kFailed || s == JobState::kCancelled;
}
inline bool IsWaiting(JobState s) { return s == JobState::kPending || s == JobState::kPreempted; }

// A stop asked of a running job and not carried out yet: its run is ending (SIGTERM,
// grace, SIGKILL) and the job is still `running` until it has.
enum class JobStop { kNone, kPreempt, kCancel };

// "", "preempt", "cancel": the words the store keeps and the API sends.
std::string_view JobStopName(JobStop stop);
std::optional<JobStop> ParseJobStop(std::string_view name);

// What can happen to a job. The kRun* events are how its run ended, as the executor
// saw it, whatever stop was asked; NextJobPhase combines the two.
enum class JobEvent {
  kStart,             // the scheduler starts a waiting job on GPUs
  kStartFailed,       // the executor refused to launch the run it was just given
  kPreempt,           // the scheduler asks a running job to give its GPUs back
  kCancel,            // its owner or a steward cancels it
  kRunSucceeded,      // the run exited 0
  kRunFailed,         // the run exited non-zero, was killed by a signal or hit its time limit
  kRunCouldNotStart,  // the run never became a process (bad workdir, missing program)
  kRunLost,           // the run's supervisor is gone without an exit status
  kRunNeverRan,       // nobody ever launched the run (the server died in between)
  kRunInterrupted,    // the cluster ended the run, not the job (its node failed)
};

std::string_view JobEventName(JobEvent event);

// Where a job is in its life: its state and, while running, the stop asked of it.
struct JobPhase {
  JobState state = JobState::kPending;
  JobStop stop = JobStop::kNone;  // kNone unless running

  friend bool operator==(const JobPhase&, const JobPhase&) = default;
};

// The phase after `event`, or FailedPrecondition when the event cannot happen in
// `from` (a run's end on a job that is not running, a start of a job that is not
// waiting, any event on a finished job), or Internal for a phase that cannot exist
// (a waiting job with a stop). The transitions:
//
//   waiting (pending, preempted)  start -> running;  cancel -> cancelled
//   running, no stop              preempt -> running/preempt;  cancel -> running/cancel;
//                                 start failed -> failed;  run succeeded -> succeeded;
//                                 run failed, could not start, lost -> failed;
//                                 run never ran -> pending;  interrupted -> preempted
//   running, preempt              cancel -> running/cancel;  run succeeded or failed
//                                 (it stopped) -> preempted;  could not start, lost ->
//                                 failed;  never ran, interrupted -> preempted
//   running, cancel               cancel -> running/cancel (asked again);  any end of
//                                 the run -> cancelled
//
// A running job that goes back to the queue (preempted, or its run never happened)
// runs again under the next run number: see StartsOver.
Result<JobPhase> NextJobPhase(JobPhase from, JobEvent event);

// Whether the step from `from` to `to` ends a run that the job must run again.
inline bool StartsOver(JobPhase from, JobPhase to) {
  return from.state == JobState::kRunning && IsWaiting(to.state);
}

struct Job {
  JobId id;
  MemberId owner;
  std::string owner_handle;  // filled by the store on reads
  ProjectId project;
  std::string name;
  int gpus = 1;
  std::optional<std::int64_t> time_limit_s;
  std::string workdir;
  std::vector<std::pair<std::string, std::string>> env;
  std::vector<std::string> argv;
  JobState state = JobState::kPending;
  int run = 0;
  std::vector<int> gpu_ids;
  JobStop stopping = JobStop::kNone;  // while running: the stop in flight, if any
  std::optional<int> exit_code;
  std::string reason;
  std::int64_t attained_gpu_s = 0;
  UnixSeconds submitted_at = 0;
  UnixSeconds queued_at = 0;  // when it last joined the queue: submission or preemption
  std::optional<UnixSeconds> started_at;
  std::optional<UnixSeconds> run_started_at;
  std::optional<UnixSeconds> finished_at;

  JobPhase phase() const { return {state, stopping}; }
};

// What a run taught, as its note says: trial and error is on the record, negative
// results too.
enum class JobOutcome { kSuccess, kFailure, kNegative };

// "success", "failure", "negative": the words the store keeps and the API takes.
std::string_view JobOutcomeName(JobOutcome outcome);
std::optional<JobOutcome> ParseJobOutcome(std::string_view name);

struct JobNote {
  std::int64_t id = 0;
  JobId job;
  std::string author_handle;
  JobOutcome outcome = JobOutcome::kSuccess;
  std::string text;
  UnixSeconds created_at = 0;
};

struct ProjectBoost {
  std::int64_t id = 0;
  ProjectId project;
  double factor = 1.0;
  UnixSeconds expires_at = 0;
  std::string reason;
  std::string granted_by_handle;
  UnixSeconds created_at = 0;
};

}  // namespace qiusuo
