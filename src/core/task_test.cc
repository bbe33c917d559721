#include "core/task.h"

#include <gtest/gtest.h>

namespace qiusuo {
namespace {

const MemberId kAda(1), kBob(2);

Task OpenTask() {
  Task t;
  t.id = TaskId(1);
  t.title = "Write the kernel";
  return t;
}

TEST(Task, AMemberClaimsForThemselves) {
  auto t = ApplyTaskAct(OpenTask(), TaskAct::kClaim, kAda, true, 5);
  ASSERT_TRUE(t);
  EXPECT_EQ(t->state, TaskState::kClaimed);
  EXPECT_EQ(t->holder, kAda);
  EXPECT_EQ(t->updated_at, 5);
}

TEST(Task, NonMembersCannotClaim) {
  auto t = ApplyTaskAct(OpenTask(), TaskAct::kClaim, kAda, false, 5);
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().code, ErrorCode::kPermissionDenied);
}

TEST(Task, AClaimedTaskIsNotTakenFromItsHolder) {
  auto t = *ApplyTaskAct(OpenTask(), TaskAct::kClaim, kAda, true, 5);
  t.holder_handle = "ada";
  auto r = ApplyTaskAct(t, TaskAct::kClaim, kBob, true, 6);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("@ada"), std::string::npos);
  EXPECT_FALSE(ApplyTaskAct(t, TaskAct::kDone, kBob, true, 6));
  EXPECT_FALSE(ApplyTaskAct(t, TaskAct::kUnclaim, kBob, true, 6));
}

TEST(Task, TheHolderFinishesOrGivesBack) {
  auto t = *ApplyTaskAct(OpenTask(), TaskAct::kClaim, kAda, true, 5);
  auto back = ApplyTaskAct(t, TaskAct::kUnclaim, kAda, true, 6);
  ASSERT_TRUE(back);
  EXPECT_EQ(back->state, TaskState::kOpen);
  EXPECT_FALSE(back->holder);
  auto done = ApplyTaskAct(t, TaskAct::kDone, kAda, true, 7);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->state, TaskState::kDone);
  EXPECT_EQ(done->holder, kAda);
  EXPECT_FALSE(ApplyTaskAct(*done, TaskAct::kClaim, kBob, true, 8));
}

TEST(Task, FinishingAnOpenTaskMakesTheFinisherItsHolder) {
  auto done = ApplyTaskAct(OpenTask(), TaskAct::kDone, kBob, true, 7);
  ASSERT_TRUE(done);
  EXPECT_EQ(done->holder, kBob);
  EXPECT_FALSE(ApplyTaskAct(OpenTask(), TaskAct::kDone, kBob, false, 7));
}

// Rule 2 for tasks: whatever the act, a task that has a holder afterwards is held by
// the actor or by whoever held it before; nobody is ever made the holder by another.
TEST(Task, TheHolderIsAlwaysTheOneWhoClaimed) {
  for (auto state : {TaskState::kOpen, TaskState::kClaimed, TaskState::kDone}) {
    for (auto act : {TaskAct::kClaim, TaskAct::kUnclaim, TaskAct::kDone}) {
      for (bool member : {false, true}) {
        Task t = OpenTask();
        t.state = state;
        if (state != TaskState::kOpen) t.holder = kAda;
        auto r = ApplyTaskAct(t, act, kBob, member, 1);
        if (!r || !r->holder) continue;
        EXPECT_TRUE(*r->holder == kBob || (t.holder && *r->holder == *t.holder));
        if (*r->holder == kBob) {
          EXPECT_TRUE(member);
        }
      }
    }
  }
}

}  // namespace
}  // namespace qiusuo
