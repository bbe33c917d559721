#include "service/identities.h"

#include <algorithm>
#include <map>

#include "core/validate.h"
#include "crypto/crypto.h"
#include "service/record.h"

namespace qiusuo {

Identities::Identities(Store& store, const Clock& clock, Mailer mailer)
    : store_(store), clock_(clock), mailer_(std::move(mailer)) {}

namespace {
Result<std::string> NormalizeEmail(std::string email) {
  if (email.starts_with("email:")) email = email.substr(6);
  std::transform(email.begin(), email.end(), email.begin(), ::tolower);
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() || email.size() > 254 ||
      email.find_first_of(" \t\r\n<>\"") != std::string::npos) {
    return InvalidArgument("email", "'" + email + "' is not an email address");
  }
  return email;
}
constexpr UnixSeconds kClaimLifetime = UnixSeconds{24} * 3600;
}  // namespace

Status Identities::Claim(const Caller& caller, const std::string& raw) {
  const std::string email = QS_TRY(NormalizeEmail(raw));
  if (!mailer_) {
    return Fail(ErrorCode::kUnavailable,
                "this lab sends no mail, so emails cannot be proven; the operator sets "
                "mail_command in qiusuo.toml");
  }
  const std::string code = crypto::RandomHex(4);
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (auto owner = QS_TRY(tx.IdentityOwner(email))) {
      return FailedPrecondition(*owner == caller.id ? "you proved " + email + " already"
                                                    : email + " is proven by another member");
    }
    const UnixSeconds now = clock_.Now();
    return tx.PutIdentityClaim(
        {email, caller.id, crypto::Sha256Hex(code), now, now + kClaimLifetime, std::nullopt});
  }));
  return mailer_(email, "Your Qiusuo identity code",
                 "@" + caller.handle + " asked to claim " + email +
                     " in the lab's contribution ledger.\n\nIf that was you, run:\n\n"
                     "  qiusuo identity confirm " +
                     email + " " + code +
                     "\n\nThe code expires in 24 hours. If it was not you, ignore this email.\n");
}

Result<Contribution> Identities::Confirm(const Caller& caller, const std::string& raw,
                                         const std::string& code) {
  const std::string email = QS_TRY(NormalizeEmail(raw));
  Contribution c;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const auto claim = QS_TRY(tx.FindIdentityClaim(email, caller.id));
    const UnixSeconds now = clock_.Now();
    if (!claim || claim->confirmed_at || now > claim->expires_at ||
        claim->code_hash != crypto::Sha256Hex(code)) {
      return PermissionDenied("that code does not prove " + email +
                              " (wrong, used or expired); ask for a new one with "
                              "`qiusuo identity claim " +
                              email + "`");
    }
    if (QS_TRY(tx.IdentityOwner(email))) return FailedPrecondition(email + " is proven already");
    QS_TRY_STATUS(tx.ConfirmIdentityClaim(email, caller.id, now));
    auto member = QS_TRY(tx.FindMember(caller.id));
    if (member &&
        std::find(member->emails.begin(), member->emails.end(), email) == member->emails.end()) {
      MemberProfile profile{member->name, member->emails, member->skills, member->interests};
      profile.emails.push_back(email);
      QS_TRY_STATUS(tx.UpdateProfile(caller.id, profile));
    }
    c.at = now;
    c.actor = caller.handle;
    c.contributor = MemberContributor(caller.handle);
    c.kind = "identity-merge";
    c.evidence = "email:" + email;
    c.note =
        "proved " + email + " with a code sent to it; its entries are @" + caller.handle + "'s";
    c.self = true;
    const std::int64_t seq = QS_TRY(AppendContribution(tx, c));
    c = QS_TRY(ReadEntry(tx, seq));  // as stored: seq and prev filled in
    return {};
  }));
  return c;
}

Result<ImportResult> Identities::ImportCommits(const Caller& caller, ProjectId project,
                                               const std::vector<CommitRecord>& commits) {
  for (const auto& c : commits) {
    if (c.sha.size() != 40 || c.sha.find_first_not_of("0123456789abcdef") != std::string::npos)
      return InvalidArgument("sha", "a commit id is 40 lowercase hex digits, not '" + c.sha + "'");
    if (c.lines < 0) return InvalidArgument("lines", "lines changed are not negative");
    QS_TRY_STATUS(ValidateText("headline", c.headline, 1000));
  }
  ImportResult out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (!QS_TRY(tx.FindProject(project)))
      return NotFound("there is no project " + std::to_string(project.value));
    const auto m = QS_TRY(tx.FindMembership(project, caller.id));
    if (!m || m->state != MembershipState::kActive)
      return PermissionDenied("members of the project import its history; apply to join first");
    // Members by the emails on their profiles (lowercase).
    std::map<std::string, std::string> by_email;
    for (Page page{200, 0};;) {
      const auto members = QS_TRY(tx.ListMembers(page));
      for (const auto& member : members) {
        for (std::string e : member.emails) {
          std::transform(e.begin(), e.end(), e.begin(), ::tolower);
          by_email.emplace(e, member.handle);
        }
      }
      if (static_cast<int>(members.size()) < page.limit) break;
      page.before = members.back().id.value;
    }
    for (const auto& c : commits) {
      const std::string evidence = "commit:" + c.sha;
      if (!QS_TRY(tx.ListLedger({0, 1, "", project.value, evidence})).empty()) {
        ++out.skipped;
        continue;
      }
      std::string email = c.author_email;
      std::transform(email.begin(), email.end(), email.begin(), ::tolower);
      Contribution e;
      e.at = c.at;
      e.actor = caller.handle;
      if (auto it = by_email.find(email); it != by_email.end()) {
        e.contributor = MemberContributor(it->second);
        ++out.members;
      } else {
        e.contributor = "email:" + email;
      }
      e.self = e.contributor == MemberContributor(caller.handle);
      e.kind = "software";
      e.project = project.value;
      e.quantity_milli = c.lines * 1000;
      e.unit = "lines";
      e.evidence = evidence;
      e.note = c.headline;
      QS_TRY(AppendContribution(tx, std::move(e)));
      ++out.recorded;
    }
    return {};
  }));
  return out;
}

}  // namespace qiusuo
