#include "core/job.h"

#include <array>

namespace qiusuo {
namespace {
constexpr std::array<std::string_view, 6> kNames = {"pending",   "running", "preempted",
                                                    "succeeded", "failed",  "cancelled"};
constexpr std::array<std::string_view, 3> kStopNames = {"", "preempt", "cancel"};
constexpr std::array<std::string_view, 10> kEventNames = {
    "start",      "start failed",        "preempt",  "cancel",        "run succeeded",
    "run failed", "run could not start", "run lost", "run never ran", "run interrupted"};

bool IsRunEnd(JobEvent event) {
  switch (event) {
    case JobEvent::kRunSucceeded:
    case JobEvent::kRunFailed:
    case JobEvent::kRunCouldNotStart:
    case JobEvent::kRunLost:
    case JobEvent::kRunNeverRan:
    case JobEvent::kRunInterrupted:
      return true;
    case JobEvent::kStart:
    case JobEvent::kStartFailed:
    case JobEvent::kPreempt:
    case JobEvent::kCancel:
      return false;
  }
  return false;
}

// How a run's end leaves a running job, given the stop that was asked of it.
JobState AfterRunEnd(JobStop stop, JobEvent event) {
  if (stop == JobStop::kCancel) return JobState::kCancelled;
  switch (event) {
    case JobEvent::kRunSucceeded:
      // Asked to make room, it ended: whether it finished just then or on the
      // SIGTERM, it goes back to the queue and picks up from its checkpoint.
      return stop == JobStop::kPreempt ? JobState::kPreempted : JobState::kSucceeded;
    case JobEvent::kRunFailed:
      return stop == JobStop::kPreempt ? JobState::kPreempted : JobState::kFailed;
    case JobEvent::kRunNeverRan:
      // Nothing ran, so running it again runs it once.
      return stop == JobStop::kPreempt ? JobState::kPreempted : JobState::kPending;
    case JobEvent::kRunInterrupted:
      // The cluster ended it, not the job: it goes back to the queue and resumes
      // from its checkpoint, as after a preemption.
      return JobState::kPreempted;
    default:  // could not start, lost: running it again would not help
      return JobState::kFailed;
  }
}

}  // namespace

std::string_view JobStateName(JobState state) { return kNames[static_cast<std::size_t>(state)]; }

std::optional<JobState> ParseJobState(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

std::string_view JobStopName(JobStop stop) { return kStopNames[static_cast<std::size_t>(stop)]; }

std::optional<JobStop> ParseJobStop(std::string_view name) {
  for (std::size_t i = 0; i < kStopNames.size(); ++i) {
    if (kStopNames[i] == name) return static_cast<JobStop>(i);
  }
  return std::nullopt;
}

namespace {
constexpr std::array<std::string_view, 3> kOutcomeNames = {"success", "failure", "negative"};
}  // namespace

std::string_view JobOutcomeName(JobOutcome outcome) {
  return kOutcomeNames[static_cast<std::size_t>(outcome)];
}

std::optional<JobOutcome> ParseJobOutcome(std::string_view name) {
  for (std::size_t i = 0; i < kOutcomeNames.size(); ++i) {
    if (kOutcomeNames[i] == name) return static_cast<JobOutcome>(i);
  }
  return std::nullopt;
}

std::string_view JobEventName(JobEvent event) {
  return kEventNames[static_cast<std::size_t>(event)];
}

Result<JobPhase> NextJobPhase(JobPhase from, JobEvent event) {
  const auto refuse = [&](std::string_view why) {
    return FailedPrecondition("a " + std::string(JobStateName(from.state)) + " job cannot " +
                              std::string(JobEventName(event)) + ": " + std::string(why));
  };
  if (IsFinal(from.state)) return refuse("it is over");
  if (IsWaiting(from.state)) {
    if (from.stop != JobStop::kNone) return Internal("a waiting job has a stop in flight");
    switch (event) {
      case JobEvent::kStart:
        return JobPhase{JobState::kRunning, JobStop::kNone};
      case JobEvent::kCancel:
        return JobPhase{JobState::kCancelled, JobStop::kNone};
      default:
        return refuse("it is not running");
    }
  }
  // Running.
  if (IsRunEnd(event)) return JobPhase{AfterRunEnd(from.stop, event), JobStop::kNone};
  switch (event) {
    case JobEvent::kStart:
      return refuse("it is running already");
    case JobEvent::kStartFailed:
      if (from.stop != JobStop::kNone) return refuse("it was asked to stop after it started");
      return JobPhase{JobState::kFailed, JobStop::kNone};
    case JobEvent::kPreempt:
      if (from.stop != JobStop::kNone) return refuse("it is being stopped already");
      return JobPhase{JobState::kRunning, JobStop::kPreempt};
    case JobEvent::kCancel:
      // A cancel overrides a preempt in flight, and may be asked again.
      return JobPhase{JobState::kRunning, JobStop::kCancel};
    default:
      return Internal("unknown job event");
  }
}

}  // namespace qiusuo
