#include "core/membership.h"

#include <gtest/gtest.h>

#include <vector>

namespace qiusuo {
namespace {

using S = MembershipState;
using A = MembershipAct;

const std::vector<std::optional<S>> kAllStates = {
    std::nullopt, S::kApplied, S::kInvited, S::kActive, S::kDeclined, S::kWithdrawn, S::kLeft};
const std::vector<A> kAllActs = {A::kApply,   A::kInvite,   A::kAccept,
                                 A::kDecline, A::kWithdraw, A::kLeave};

Standing Self() { return {.actor_is_subject = true, .actor_is_active_member = false}; }
Standing Member() { return {.actor_is_subject = false, .actor_is_active_member = true}; }
Standing Stranger() { return {}; }

TEST(Membership, ApplyThenAMemberAccepts) {
  auto applied = NextMembershipState(std::nullopt, A::kApply, Self());
  ASSERT_TRUE(applied);
  EXPECT_EQ(*applied, S::kApplied);
  EXPECT_EQ(NextMembershipState(S::kApplied, A::kAccept, Member()), S::kActive);
}

TEST(Membership, InviteThenTheInviteeAccepts) {
  EXPECT_EQ(NextMembershipState(std::nullopt, A::kInvite, Member()), S::kInvited);
  EXPECT_EQ(NextMembershipState(S::kInvited, A::kAccept, Self()), S::kActive);
}

TEST(Membership, NobodyAcceptsAnInvitationForSomeoneElse) {
  auto r = NextMembershipState(S::kInvited, A::kAccept, Member());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
}

TEST(Membership, NobodyAppliesForSomeoneElse) {
  EXPECT_FALSE(NextMembershipState(std::nullopt, A::kApply, Member()));
  EXPECT_FALSE(NextMembershipState(std::nullopt, A::kApply, Stranger()));
}

TEST(Membership, ApplicantsCannotAcceptThemselves) {
  auto r = NextMembershipState(S::kApplied, A::kAccept, Self());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_FALSE(NextMembershipState(S::kApplied, A::kAccept, Stranger()));
}

TEST(Membership, NobodyRemovesAnother) {
  auto r = NextMembershipState(S::kActive, A::kLeave, Member());
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::kPermissionDenied);
  EXPECT_EQ(NextMembershipState(S::kActive, A::kLeave, {true, true}), S::kLeft);
}

TEST(Membership, ClosedRecordsCanBeReopenedByTheSameActs) {
  for (auto closed : {S::kDeclined, S::kWithdrawn, S::kLeft}) {
    EXPECT_EQ(NextMembershipState(closed, A::kApply, Self()), S::kApplied);
    EXPECT_EQ(NextMembershipState(closed, A::kInvite, Member()), S::kInvited);
  }
}

TEST(Membership, CrossedRequestsPointAtTheOtherSide) {
  auto r = NextMembershipState(S::kInvited, A::kApply, Self());
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("accept the invitation"), std::string::npos);
  auto r2 = NextMembershipState(S::kApplied, A::kInvite, Member());
  ASSERT_FALSE(r2);
  EXPECT_NE(r2.error().message.find("accept their application"), std::string::npos);
}

// Rule 2 over every state, act and standing: the only transitions into `active`
// are a member accepting the person's own application, or the person accepting an
// invitation themselves; and only the person themselves ever opens an application.
TEST(Membership, ConsentHoldsForEveryTransition) {
  int checked = 0;
  for (auto state : kAllStates) {
    for (auto act : kAllActs) {
      for (bool subject : {false, true}) {
        for (bool member : {false, true}) {
          auto next = NextMembershipState(state, act, {subject, member});
          ++checked;
          if (!next) continue;
          if (*next == S::kActive) {
            EXPECT_EQ(act, A::kAccept);
            const bool own_application_accepted = state == S::kApplied && !subject && member;
            const bool own_invitation_accepted = state == S::kInvited && subject;
            EXPECT_TRUE(own_application_accepted || own_invitation_accepted)
                << "state " << (state ? MembershipStateName(*state) : "none") << " subject "
                << subject << " member " << member;
          }
          if (*next == S::kApplied) {
            EXPECT_TRUE(subject);
          }
          if (*next == S::kInvited) {
            EXPECT_TRUE(member && !subject);
          }
          if (*next == S::kLeft) {
            EXPECT_TRUE(subject);
          }
        }
      }
    }
  }
  EXPECT_EQ(checked, 7 * 6 * 4);
}

TEST(Membership, StateNamesRoundTrip) {
  for (auto state : kAllStates) {
    if (!state) continue;
    EXPECT_EQ(ParseMembershipState(MembershipStateName(*state)), state);
  }
  EXPECT_FALSE(ParseMembershipState("assigned"));
}

}  // namespace
}  // namespace qiusuo
