#pragma once
// A GPU job as the lab records it. States: pending -> running -> succeeded | failed |
// cancelled; a preempted run goes back to the queue as `preempted` and runs again
// with its run number (restart count) up.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
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
  std::string stopping;  // "", "preempt" or "cancel" while a stop is in flight
  std::optional<int> exit_code;
  std::string reason;
  std::int64_t attained_gpu_s = 0;
  UnixSeconds submitted_at = 0;
  UnixSeconds queued_at = 0;  // when it last joined the queue: submission or preemption
  std::optional<UnixSeconds> started_at;
  std::optional<UnixSeconds> run_started_at;
  std::optional<UnixSeconds> finished_at;
};

struct JobNote {
  std::int64_t id = 0;
  JobId job;
  std::string author_handle;
  std::string outcome;  // success, failure, negative
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
