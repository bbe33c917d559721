#pragma once
// A task in a project: open -> claimed -> done. Tasks are claimed, never assigned
// (rule 2): the holder of a task is always the person who claimed it.

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "common/ids.h"

namespace qiusuo {

enum class TaskState { kOpen, kClaimed, kDone };
enum class TaskAct { kClaim, kUnclaim, kDone };

std::string_view TaskStateName(TaskState state);
std::optional<TaskState> ParseTaskState(std::string_view name);

struct Task {
  TaskId id;
  ProjectId project;
  std::string title;
  std::string description;
  TaskState state = TaskState::kOpen;
  std::optional<MemberId> holder;  // set only by the holder's own claim
  std::string holder_handle;       // filled by the store on reads
  MemberId created_by;
  UnixSeconds created_at = 0;
  UnixSeconds updated_at = 0;
};

// Applies `act` by `actor` to `task`. Returns the task as it is afterwards.
Result<Task> ApplyTaskAct(Task task, TaskAct act, MemberId actor, bool actor_is_active_member,
                          UnixSeconds now);

}  // namespace qiusuo
