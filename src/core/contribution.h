#pragma once
// A contribution as the ledger records it, and the one table of contribution kinds.
//
// Kinds draw on CRediT (the Contributor Roles Taxonomy, ANSI/NISO Z39.104-2022:
// conceptualization, investigation, software, ...) for research roles, and on the
// all-contributors specification (review, mentoring, infra, ...) for the work around
// it; a few record the lab's own acts (joined, backing, boost, reward). Each kind says
// which CRediT role it earns on an author list (if any) and its default reward weight.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/error.h"

namespace qiusuo {

struct Contribution {
  std::int64_t seq = 0;  // 1, 2, 3, ... with no gaps
  UnixSeconds at = 0;
  std::string prev;         // hex leaf hash of entry seq-1; empty for the first entry
  std::string actor;        // handle of who recorded it; "qiusuo" for the server's own record
  std::string contributor;  // "@handle" for a member, "email:addr" for an external identity
  std::string kind;
  std::optional<std::int64_t> project;
  std::int64_t quantity_milli = 0;  // thousandths of `unit` (GPU-hours, lines, ...)
  std::string unit;                 // empty when the entry counts once
  std::string evidence;  // "idea:12", "task:3", "job:7", "commit:<sha>", "url:...", "entry:5"
  std::string note;
  bool self = false;                     // recorded by the contributor about their own work
  std::optional<std::int64_t> corrects;  // the entry this one corrects
};

struct ContributionKind {
  std::string_view name;
  std::string_view source;       // "CRediT", "all-contributors" or "lab"
  std::string_view credit_role;  // the CRediT role it earns on an author list; "" for none
  double weight;                 // default reward weight per entry
  double weight_per_unit;        // default reward weight per unit of quantity
  std::string_view description;
};

std::span<const ContributionKind> ContributionKinds();
const ContributionKind* FindContributionKind(std::string_view name);

// Whether a member may record an entry of this kind themselves (a thank); the
// lab's own kinds (joined, backing, boost, reward, peer-points, identity-merge,
// confirmation, ...) are written only by the act they record.
bool MemberMayRecord(std::string_view kind);
// The kinds MemberMayRecord allows, in the table's order.
std::span<const std::string_view> MemberRecordableKinds();

// A member's contributor id.
inline std::string MemberContributor(std::string_view handle) { return "@" + std::string(handle); }

// Identities proven and merged: "email:ADDRESS" -> "@handle", from the ledger's
// identity-merge entries (contributor the member, evidence the email identity).
// Entries keep their contributor; computed views credit the member.
std::map<std::string, std::string> IdentityMerges(std::span<const Contribution> entries);
inline const std::string& Resolve(const std::map<std::string, std::string>& merges,
                                  const std::string& contributor) {
  auto it = merges.find(contributor);
  return it == merges.end() ? contributor : it->second;
}

// Checks the fields a person can set (kind, contributor, evidence, note, quantity).
Status ValidateContribution(const Contribution& c);

}  // namespace qiusuo
