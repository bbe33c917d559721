#include "core/contribution.h"

#include <algorithm>
#include <array>

#include "core/validate.h"

namespace qiusuo {
namespace {

// The one table of kinds. Weights are the defaults a reward round starts from; a
// round's weights file overrides them.
constexpr std::array<ContributionKind, 27> kKinds{{
    // CRediT roles.
    {"conceptualization", "CRediT", "Conceptualization", 3, 0, "an idea posted or shaped"},
    {"methodology", "CRediT", "Methodology", 2, 0, "a method or design of experiments"},
    {"software", "CRediT", "Software", 1, 0, "code: a commit, a tool, a kernel"},
    {"validation", "CRediT", "Validation", 1, 0, "reproducing or checking a result"},
    {"formal-analysis", "CRediT", "Formal analysis", 1, 0,
     "an experiment's outcome analysed and written down (success, failure or negative)"},
    {"investigation", "CRediT", "Investigation", 1, 0,
     "an experiment run (a job, with its GPU-hours), or a task done"},
    {"resources", "CRediT", "Resources", 1, 0, "data, compute or equipment provided"},
    {"data-curation", "CRediT", "Data curation", 1, 0, "a dataset cleaned, documented or kept"},
    {"writing", "CRediT", "Writing – original draft", 3, 0, "a write-up, paper draft or report"},
    {"editing", "CRediT", "Writing – review & editing", 1, 0, "a draft reviewed or edited"},
    {"visualization", "CRediT", "Visualization", 1, 0, "figures and pictures of results"},
    {"project-administration", "CRediT", "Project administration", 2, 0,
     "a project started and looked after"},
    // all-contributors types.
    {"review", "all-contributors", "Validation", 1, 0, "a code or paper review"},
    {"mentoring", "all-contributors", "Supervision", 1, 0, "mentoring someone"},
    {"debugging", "all-contributors", "Validation", 1, 0, "a debugging session, a bug found"},
    {"infra", "all-contributors", "Resources", 1, 0, "infrastructure: the cluster, CI, tools"},
    {"tutorial", "all-contributors", "", 1, 0, "a tutorial, talk or know-how written down"},
    {"question", "all-contributors", "", 0.5, 0, "a question that moved the work forward"},
    // The lab's own acts.
    {"backing", "lab", "", 0.5, 0, "backing an idea or a project"},
    {"joined", "lab", "", 0, 0, "joining a project (by one's own accept)"},
    {"task-claimed", "lab", "", 0, 0, "a task claimed"},
    {"boost", "lab", "", 0, 0, "a steward's boost of a project, with its reason"},
    {"reward-round", "lab", "", 0, 0, "a reward round opened, with its settings"},
    {"peer-points", "lab", "", 0, 0, "points one participant gave another in a round"},
    {"reward", "lab", "", 0, 0, "a reward paid from a round"},
    {"identity-merge", "lab", "", 0, 0, "an external identity merged into a member"},
    {"confirmation", "lab", "", 0, 0,
     "another member vouching for an entry (a self-recorded one counts once confirmed)"},
}};

// The kinds a member may record through the record (POST /api/v1/ledger/entries,
// `qiusuo thank`): the work itself. Every other kind is written only by the lab's own
// act (joining, backing, claiming, boosting, paying, proving an identity, confirming),
// in the transaction of that act, so that nobody can claim one by typing it.
constexpr std::array<std::string_view, 18> kMemberRecordable{"conceptualization",
                                                             "methodology",
                                                             "software",
                                                             "validation",
                                                             "formal-analysis",
                                                             "investigation",
                                                             "resources",
                                                             "data-curation",
                                                             "writing",
                                                             "editing",
                                                             "visualization",
                                                             "project-administration",
                                                             "review",
                                                             "mentoring",
                                                             "debugging",
                                                             "infra",
                                                             "tutorial",
                                                             "question"};

}  // namespace

std::span<const ContributionKind> ContributionKinds() { return kKinds; }

const ContributionKind* FindContributionKind(std::string_view name) {
  const auto* it = std::find_if(kKinds.begin(), kKinds.end(),
                                [&](const ContributionKind& k) { return k.name == name; });
  return it == kKinds.end() ? nullptr : &*it;
}

bool MemberMayRecord(std::string_view kind) {
  return std::find(kMemberRecordable.begin(), kMemberRecordable.end(), kind) !=
         kMemberRecordable.end();
}

std::span<const std::string_view> MemberRecordableKinds() { return kMemberRecordable; }

std::map<std::string, std::string> IdentityMerges(std::span<const Contribution> entries) {
  std::map<std::string, std::string> out;
  for (const auto& e : entries) {
    if (e.kind == "identity-merge" && e.evidence.starts_with("email:"))
      out[e.evidence] = e.contributor;
  }
  return out;
}

Status ValidateContribution(const Contribution& c) {
  if (!FindContributionKind(c.kind)) {
    return InvalidArgument("kind", "'" + c.kind +
                                       "' is not a contribution kind; `qiusuo ledger kinds` "
                                       "lists them");
  }
  if (c.contributor.size() < 2 ||
      !(c.contributor.starts_with("@") || c.contributor.starts_with("email:"))) {
    return InvalidArgument("contributor",
                           "a contributor is @handle for a member or email:ADDRESS for someone "
                           "outside the lab");
  }
  if (c.quantity_milli < 0) return InvalidArgument("quantity", "a quantity is not negative");
  QS_TRY_STATUS(ValidateText("note", c.note, 4000));
  QS_TRY_STATUS(ValidateText("evidence", c.evidence, 2000));
  QS_TRY_STATUS(ValidateText("unit", c.unit, 40));
  return {};
}

}  // namespace qiusuo
