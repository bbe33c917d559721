#include "core/membership.h"

#include <array>

namespace qiusuo {
namespace {

constexpr std::array<std::string_view, 6> kStateNames = {"applied",  "invited",   "active",
                                                         "declined", "withdrawn", "left"};

}  // namespace

std::string_view MembershipStateName(MembershipState state) {
  return kStateNames[static_cast<std::size_t>(state)];
}

std::optional<MembershipState> ParseMembershipState(std::string_view name) {
  for (std::size_t i = 0; i < kStateNames.size(); ++i) {
    if (kStateNames[i] == name) return static_cast<MembershipState>(i);
  }
  return std::nullopt;
}

std::string_view MembershipActName(MembershipAct act) {
  switch (act) {
    case MembershipAct::kApply:
      return "apply";
    case MembershipAct::kInvite:
      return "invite";
    case MembershipAct::kAccept:
      return "accept";
    case MembershipAct::kDecline:
      return "decline";
    case MembershipAct::kWithdraw:
      return "withdraw";
    case MembershipAct::kLeave:
      return "leave";
  }
  return "?";
}

Result<MembershipState> NextMembershipState(std::optional<MembershipState> current,
                                            MembershipAct act, Standing standing) {
  using S = MembershipState;
  const bool subject = standing.actor_is_subject;
  const bool member = standing.actor_is_active_member;
  const bool active = current == S::kActive;

  switch (act) {
    case MembershipAct::kApply:
      if (!subject) return PermissionDenied("only a person can apply for themselves");
      if (active) return AlreadyExists("you are already a member of this project");
      if (current == S::kApplied)
        return AlreadyExists("you have already applied; wait for a member to answer");
      if (current == S::kInvited) {
        return FailedPrecondition("you are invited already: accept the invitation instead");
      }
      return S::kApplied;

    case MembershipAct::kInvite:
      if (subject) return PermissionDenied("you cannot invite yourself; apply instead");
      if (!member) return PermissionDenied("only active members of the project can invite");
      if (active) return AlreadyExists("they are already a member of this project");
      if (current == S::kInvited) return AlreadyExists("they are invited already");
      if (current == S::kApplied) {
        return FailedPrecondition("they have applied already: accept their application instead");
      }
      return S::kInvited;

    case MembershipAct::kAccept:
      if (current == S::kApplied) {
        if (subject)
          return PermissionDenied(
              "an application is accepted by a current member, not by the applicant");
        if (!member)
          return PermissionDenied("only active members of the project can accept an application");
        return S::kActive;
      }
      if (current == S::kInvited) {
        if (!subject) return PermissionDenied("only the invited person can accept an invitation");
        return S::kActive;
      }
      return FailedPrecondition("there is no open application or invitation to accept");

    case MembershipAct::kDecline:
      if (current == S::kApplied) {
        if (subject) return PermissionDenied("to take back your application, withdraw it");
        if (!member)
          return PermissionDenied("only active members of the project can decline an application");
        return S::kDeclined;
      }
      if (current == S::kInvited) {
        if (!subject) return PermissionDenied("only the invited person can decline an invitation");
        return S::kDeclined;
      }
      return FailedPrecondition("there is no open application or invitation to decline");

    case MembershipAct::kWithdraw:
      if (current == S::kApplied) {
        if (!subject) return PermissionDenied("only the applicant can withdraw an application");
        return S::kWithdrawn;
      }
      if (current == S::kInvited) {
        if (!member)
          return PermissionDenied("only active members of the project can withdraw an invitation");
        return S::kWithdrawn;
      }
      return FailedPrecondition("there is no open application or invitation to withdraw");

    case MembershipAct::kLeave:
      if (!subject)
        return PermissionDenied("nobody can remove another person; only they can leave");
      if (!active) return FailedPrecondition("you are not an active member of this project");
      return S::kLeft;
  }
  return Internal("unknown membership act");
}

}  // namespace qiusuo
