#pragma once
// Membership of a person in a project, as an explicit state machine.
//
// Rule 2 of the lab (consent): nobody is ever put on a project. The only ways to
// `active` are (a) the person applied themselves and a current member accepted, or
// (b) a current member invited them and they accepted themselves; plus the
// initiator, who started the project by their own act. NextMembershipState is the
// only place that decides transitions; the service calls nothing else.

#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"
#include "common/ids.h"

namespace qiusuo {

enum class MembershipState { kApplied, kInvited, kActive, kDeclined, kWithdrawn, kLeft };

enum class MembershipAct {
  kApply,     // the person asks to join
  kInvite,    // a current member asks the person to join
  kAccept,    // an application (by a member) or an invitation (by the invitee)
  kDecline,   // an application (by a member) or an invitation (by the invitee)
  kWithdraw,  // an application (by the applicant) or an invitation (by a member)
  kLeave,     // an active member leaves; anyone may, any time
};

std::string_view MembershipStateName(MembershipState state);
std::optional<MembershipState> ParseMembershipState(std::string_view name);
std::string_view MembershipActName(MembershipAct act);

struct Membership {
  ProjectId project;
  MemberId member;
  std::string handle;  // filled by the store on reads
  MembershipState state = MembershipState::kApplied;
  MemberId acted_by;    // who made the last transition
  std::string message;  // application or invitation note
  UnixSeconds updated_at = 0;
};

// Where the actor stands with respect to the membership being changed.
struct Standing {
  bool actor_is_subject = false;        // the actor is the person whose membership it is
  bool actor_is_active_member = false;  // the actor is an active member of the project
};

// The state after `act`, or why the act is not allowed. `current` is empty when the
// person has never had a membership record in the project.
Result<MembershipState> NextMembershipState(std::optional<MembershipState> current,
                                            MembershipAct act, Standing standing);

}  // namespace qiusuo
