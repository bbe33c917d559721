#include "core/job.h"

#include <gtest/gtest.h>

#include <map>
#include <tuple>
#include <vector>

namespace qiusuo {
namespace {

using S = JobState;
using E = JobEvent;
using X = JobStop;

const std::vector<S> kAllStates = {S::kPending,   S::kRunning, S::kPreempted,
                                   S::kSucceeded, S::kFailed,  S::kCancelled};
const std::vector<X> kAllStops = {X::kNone, X::kPreempt, X::kCancel};
const std::vector<E> kAllEvents = {
    E::kStart,     E::kStartFailed,      E::kPreempt, E::kCancel,      E::kRunSucceeded,
    E::kRunFailed, E::kRunCouldNotStart, E::kRunLost, E::kRunNeverRan, E::kRunInterrupted};

// Every legal transition, written out; everything else is refused.
const std::map<std::tuple<S, X, E>, JobPhase> kLegal = {
    {{S::kPending, X::kNone, E::kStart}, {S::kRunning, X::kNone}},
    {{S::kPending, X::kNone, E::kCancel}, {S::kCancelled, X::kNone}},
    {{S::kPreempted, X::kNone, E::kStart}, {S::kRunning, X::kNone}},
    {{S::kPreempted, X::kNone, E::kCancel}, {S::kCancelled, X::kNone}},

    {{S::kRunning, X::kNone, E::kStartFailed}, {S::kFailed, X::kNone}},
    {{S::kRunning, X::kNone, E::kPreempt}, {S::kRunning, X::kPreempt}},
    {{S::kRunning, X::kNone, E::kCancel}, {S::kRunning, X::kCancel}},
    {{S::kRunning, X::kNone, E::kRunSucceeded}, {S::kSucceeded, X::kNone}},
    {{S::kRunning, X::kNone, E::kRunFailed}, {S::kFailed, X::kNone}},
    {{S::kRunning, X::kNone, E::kRunCouldNotStart}, {S::kFailed, X::kNone}},
    {{S::kRunning, X::kNone, E::kRunLost}, {S::kFailed, X::kNone}},
    {{S::kRunning, X::kNone, E::kRunNeverRan}, {S::kPending, X::kNone}},
    {{S::kRunning, X::kNone, E::kRunInterrupted}, {S::kPreempted, X::kNone}},

    {{S::kRunning, X::kPreempt, E::kCancel}, {S::kRunning, X::kCancel}},
    {{S::kRunning, X::kPreempt, E::kRunSucceeded}, {S::kPreempted, X::kNone}},
    {{S::kRunning, X::kPreempt, E::kRunFailed}, {S::kPreempted, X::kNone}},
    {{S::kRunning, X::kPreempt, E::kRunCouldNotStart}, {S::kFailed, X::kNone}},
    {{S::kRunning, X::kPreempt, E::kRunLost}, {S::kFailed, X::kNone}},
    {{S::kRunning, X::kPreempt, E::kRunNeverRan}, {S::kPreempted, X::kNone}},
    {{S::kRunning, X::kPreempt, E::kRunInterrupted}, {S::kPreempted, X::kNone}},

    {{S::kRunning, X::kCancel, E::kCancel}, {S::kRunning, X::kCancel}},
    {{S::kRunning, X::kCancel, E::kRunSucceeded}, {S::kCancelled, X::kNone}},
    {{S::kRunning, X::kCancel, E::kRunFailed}, {S::kCancelled, X::kNone}},
    {{S::kRunning, X::kCancel, E::kRunCouldNotStart}, {S::kCancelled, X::kNone}},
    {{S::kRunning, X::kCancel, E::kRunLost}, {S::kCancelled, X::kNone}},
    {{S::kRunning, X::kCancel, E::kRunNeverRan}, {S::kCancelled, X::kNone}},
    {{S::kRunning, X::kCancel, E::kRunInterrupted}, {S::kCancelled, X::kNone}},
};

std::string Describe(S state, X stop, E event) {
  return std::string(JobStateName(state)) + "/" + std::string(JobStopName(stop)) + " + " +
         std::string(JobEventName(event));
}

TEST(Job, EveryStateStopAndEventIsDecided) {
  int checked = 0;
  for (S state : kAllStates) {
    for (X stop : kAllStops) {
      for (E event : kAllEvents) {
        ++checked;
        const auto next = NextJobPhase({state, stop}, event);
        const auto legal = kLegal.find({state, stop, event});
        if (legal != kLegal.end()) {
          ASSERT_TRUE(next) << Describe(state, stop, event) << ": " << next.error().message;
          EXPECT_EQ(*next, legal->second) << Describe(state, stop, event);
          continue;
        }
        ASSERT_FALSE(next) << Describe(state, stop, event) << " gave " << JobStateName(next->state);
        // Only a stop on a job that is not running is our bug, never a request's.
        const bool impossible = stop != X::kNone && state != S::kRunning;
        EXPECT_EQ(next.error().code, impossible && !IsFinal(state) ? ErrorCode::kInternal
                                                                   : ErrorCode::kFailedPrecondition)
            << Describe(state, stop, event);
        EXPECT_FALSE(next.error().message.empty());
      }
    }
  }
  EXPECT_EQ(checked, 6 * 3 * 10);
}

TEST(Job, AFinishedJobStaysFinished) {
  for (S state : {S::kSucceeded, S::kFailed, S::kCancelled}) {
    for (E event : kAllEvents) {
      const auto next = NextJobPhase({state, X::kNone}, event);
      ASSERT_FALSE(next) << Describe(state, X::kNone, event);
      EXPECT_NE(next.error().message.find("over"), std::string::npos) << next.error().message;
    }
  }
}

// Whatever happens, a job only ever leaves `running` with no stop in flight, and a
// stop only ever appears on a running job.
TEST(Job, AStopLivesOnlyOnARunningJob) {
  for (const auto& [from, to] : kLegal) {
    if (to.stop != X::kNone) {
      EXPECT_EQ(to.state, S::kRunning);
    }
  }
}

// A cancel, once asked, is what the job becomes, however its run ends.
TEST(Job, ACancelAlwaysEndsCancelled) {
  for (E event : kAllEvents) {
    const auto next = NextJobPhase({S::kRunning, X::kCancel}, event);
    if (!next || next->state == S::kRunning) continue;
    EXPECT_EQ(next->state, S::kCancelled) << JobEventName(event);
  }
  EXPECT_EQ(NextJobPhase({S::kRunning, X::kPreempt}, E::kCancel),
            (JobPhase{S::kRunning, X::kCancel}));
}

TEST(Job, ARunThatEndsWhileMakingRoomGoesBackToTheQueueUnderTheNextRun) {
  const JobPhase stopping{S::kRunning, X::kPreempt};
  const JobPhase back = *NextJobPhase(stopping, E::kRunFailed);  // SIGTERM
  EXPECT_EQ(back.state, S::kPreempted);
  EXPECT_TRUE(StartsOver(stopping, back));
  // A run that never happened runs again, once; a lost one does not.
  EXPECT_TRUE(StartsOver({S::kRunning, X::kNone}, *NextJobPhase({S::kRunning}, E::kRunNeverRan)));
  EXPECT_FALSE(StartsOver(stopping, *NextJobPhase(stopping, E::kRunLost)));
  EXPECT_FALSE(StartsOver({S::kPending}, *NextJobPhase({S::kPending}, E::kStart)));
}

TEST(Job, NamesRoundTrip) {
  for (S state : kAllStates) EXPECT_EQ(ParseJobState(JobStateName(state)), state);
  EXPECT_FALSE(ParseJobState("assigned"));
  for (X stop : kAllStops) EXPECT_EQ(ParseJobStop(JobStopName(stop)), stop);
  EXPECT_EQ(JobStopName(X::kNone), "");
  EXPECT_EQ(JobStopName(X::kPreempt), "preempt");
  EXPECT_EQ(JobStopName(X::kCancel), "cancel");
  EXPECT_FALSE(ParseJobStop("kill"));
  for (E event : kAllEvents) EXPECT_FALSE(JobEventName(event).empty());
}

}  // namespace
}  // namespace qiusuo
