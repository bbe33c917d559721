#include "core/task.h"

namespace qiusuo {

std::string_view TaskStateName(TaskState state) {
  switch (state) {
    case TaskState::kOpen:
      return "open";
    case TaskState::kClaimed:
      return "claimed";
    case TaskState::kDone:
      return "done";
  }
  return "open";
}

std::optional<TaskState> ParseTaskState(std::string_view name) {
  if (name == "open") return TaskState::kOpen;
  if (name == "claimed") return TaskState::kClaimed;
  if (name == "done") return TaskState::kDone;
  return std::nullopt;
}

Result<Task> ApplyTaskAct(Task task, TaskAct act, MemberId actor, bool actor_is_active_member,
                          UnixSeconds now) {
  const bool is_holder = task.holder && *task.holder == actor;
  switch (act) {
    case TaskAct::kClaim:
      if (!actor_is_active_member) {
        return PermissionDenied(
            "only active members of the project can claim its tasks; apply to join first");
      }
      if (task.state == TaskState::kDone) return FailedPrecondition("the task is done already");
      if (task.state == TaskState::kClaimed) {
        if (is_holder) return AlreadyExists("you hold this task already");
        return FailedPrecondition("the task is claimed by @" + task.holder_handle +
                                  "; ask them, or pick another");
      }
      task.state = TaskState::kClaimed;
      task.holder = actor;
      break;
    case TaskAct::kUnclaim:
      if (task.state != TaskState::kClaimed) return FailedPrecondition("the task is not claimed");
      if (!is_holder) return PermissionDenied("only the holder can give a task back");
      task.state = TaskState::kOpen;
      task.holder.reset();
      task.holder_handle.clear();
      break;
    case TaskAct::kDone:
      if (task.state == TaskState::kDone) return FailedPrecondition("the task is done already");
      if (task.state == TaskState::kOpen) {
        // Finishing an open task claims it for the one who finished it: still their own act.
        if (!actor_is_active_member) {
          return PermissionDenied("only active members of the project can finish its tasks");
        }
        task.holder = actor;
      } else if (!is_holder) {
        return PermissionDenied("only the holder, @" + task.holder_handle + ", can mark it done");
      }
      task.state = TaskState::kDone;
      break;
  }
  task.updated_at = now;
  return task;
}

}  // namespace qiusuo
