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
Result<std::string> NormalizeEmail(std::string email, std::string_view field = "email") {
  if (email.starts_with("email:")) email = email.substr(6);
  std::transform(email.begin(), email.end(), email.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  const auto at = email.find('@');
  if (at == std::string::npos || at == 0 || at + 1 >= email.size() || email.size() > 254 ||
      email.find('@', at + 1) != std::string::npos ||
      email.find_first_of(" \t\r\n<>\"(),;:") != std::string::npos) {
    return InvalidArgument(std::string(field), "'" + email + "' is not an email address");
  }
  return email;
}

// Crockford's base32: no i, l, o or u, so a code read aloud or retyped survives.
constexpr std::string_view kCodeAlphabet = "0123456789abcdefghjkmnpqrstvwxyz";

// A fresh code: 160 bits from libsodium's randombytes, in base32, in groups of four.
std::string NewCode() {
  const auto bytes = crypto::FromHex(crypto::RandomHex(kCodeBytes)).value_or(std::string());
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (unsigned char byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      if (!out.empty() && out.size() % 5 == 4) out += '-';
      out += kCodeAlphabet[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

// A code as typed: case, dashes and spaces ignored; i and l read as 1, o as 0.
std::string CanonicalCode(std::string_view typed) {
  std::string out;
  for (char ch : typed) {
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (ch == '-' || ch == ' ') continue;
    if (ch == 'i' || ch == 'l') ch = '1';
    if (ch == 'o') ch = '0';
    out += ch;
  }
  return out;
}

std::string CodeHash(std::string_view typed) { return crypto::Sha256Hex(CanonicalCode(typed)); }

}  // namespace

Status Identities::Claim(const Caller& caller, const std::string& raw) {
  const std::string email = QS_TRY(NormalizeEmail(raw));
  if (!mailer_) {
    return Fail(ErrorCode::kUnavailable,
                "this lab sends no mail, so emails cannot be proven; the operator sets "
                "mail_command in qiusuo.toml");
  }
  const std::string code = NewCode();
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (auto owner = QS_TRY(tx.IdentityOwner(email))) {
      return FailedPrecondition(*owner == caller.id ? "you proved " + email + " already"
                                                    : email + " is proven by another member");
    }
    const UnixSeconds now = clock_.Now();
    const UnixSeconds day_ago = now - kMailWindow;
    if (QS_TRY(tx.IdentityMailsOfMember(caller.id, day_ago + 1)) >= kMailsPerMember) {
      return Fail(ErrorCode::kResourceExhausted,
                  "you asked for " + std::to_string(kMailsPerMember) +
                      " identity codes in the last day; try again tomorrow");
    }
    if (QS_TRY(tx.IdentityMailsToAddress(email, day_ago + 1)) >= kMailsPerAddress) {
      return Fail(ErrorCode::kResourceExhausted,
                  email + " was sent " + std::to_string(kMailsPerAddress) +
                      " identity codes in the last day; try again tomorrow");
    }
    IdentityClaim claim{email, caller.id, CodeHash(code), now, now + kClaimLifetime, std::nullopt};
    claim.attempts = 0;  // a new code, a fresh count of tries
    claim.window_from = now;
    claim.mails = 1;
    if (const auto before = QS_TRY(tx.FindIdentityClaim(email, caller.id));
        before && before->window_from > day_ago) {
      claim.window_from = before->window_from;
      claim.mails = before->mails + 1;
    }
    return tx.PutIdentityClaim(claim);
  }));
  return mailer_(email, "Your Qiusuo identity code",
                 "@" + caller.handle + " asked to claim " + email +
                     " in the lab's contribution ledger.\n\nIf that was you, run:\n\n"
                     "  qiusuo identity confirm " +
                     email + " " + code + "\n\nThe code expires in 24 hours and dies after " +
                     std::to_string(kAttemptsPerCode) +
                     " wrong tries. If it was not you, ignore this email.\n");
}

Result<Contribution> Identities::Confirm(const Caller& caller, const std::string& raw,
                                         const std::string& code) {
  const std::string email = QS_TRY(NormalizeEmail(raw));
  if (code.size() > 200)
    return InvalidArgument("code", "a code is 39 characters, like xxxx-xxxx-...");
  Contribution c;
  bool missed = false;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    const auto claim = QS_TRY(tx.FindIdentityClaim(email, caller.id));
    const UnixSeconds now = clock_.Now();
    const std::string again = "; ask for a new one with `qiusuo identity claim " + email + "`";
    if (!claim || claim->confirmed_at || now > claim->expires_at)
      return PermissionDenied("no live code proves " + email + " (used or expired)" + again);
    if (claim->attempts >= kAttemptsPerCode) {
      return PermissionDenied("the code for " + email + " died after " +
                              std::to_string(kAttemptsPerCode) + " wrong tries" + again);
    }
    // Compared as hashes: the store never holds the code, and a timing difference would
    // tell only about a hash of it.
    if (claim->code_hash != CodeHash(code)) {
      missed = true;
      return {};
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
  if (missed) {
    // Counted in a transaction of its own, so the refusal does not roll it back.
    std::int64_t tries = 0;
    QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
      tries = QS_TRY(tx.MissIdentityClaim(email, caller.id));
      return {};
    }));
    const std::int64_t left = std::max<std::int64_t>(0, kAttemptsPerCode - tries);
    return PermissionDenied("that code does not prove " + email + "; " + std::to_string(left) +
                            " tries left before it dies");
  }
  return c;
}

Result<ImportResult> Identities::ImportCommits(const Caller& caller, ProjectId project,
                                               const std::vector<CommitRecord>& commits) {
  if (commits.size() > kMaxCommitsPerImport) {
    return InvalidArgument("commits", "at most " + std::to_string(kMaxCommitsPerImport) +
                                          " commits a request; send the rest in another");
  }
  const UnixSeconds now = clock_.Now();
  std::vector<std::string> emails;
  emails.reserve(commits.size());
  for (const auto& c : commits) {
    const bool hex = c.sha.find_first_not_of("0123456789abcdef") == std::string::npos;
    if ((c.sha.size() != 40 && c.sha.size() != 64) || !hex) {
      return InvalidArgument("sha",
                             "a commit id is 40 (SHA-1) or 64 (SHA-256) lowercase hex "
                             "digits, not '" +
                                 c.sha.substr(0, 80) + "'");
    }
    if (c.lines < 0 || c.lines > kMaxLinesPerCommit) {
      return InvalidArgument("lines", "commit " + c.sha + ": lines changed are from 0 to " +
                                          std::to_string(kMaxLinesPerCommit));
    }
    if (c.at < 0 || c.at > now + kCommitClockSkew) {
      return InvalidArgument(
          "at", "commit " + c.sha + ": its author time is between 1970 and now (Unix seconds)");
    }
    emails.push_back(QS_TRY(NormalizeEmail(c.author_email, "author_email")));
    QS_TRY_STATUS(ValidateText("author_name", c.author_name, 200));
    QS_TRY_STATUS(ValidateText("headline", c.headline, 1000));
  }
  ImportResult out;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    if (!QS_TRY(tx.FindProject(project)))
      return NotFound("there is no project " + std::to_string(project.value));
    const auto m = QS_TRY(tx.FindMembership(project, caller.id));
    if (!m || m->state != MembershipState::kActive)
      return PermissionDenied("members of the project import its history; apply to join first");
    // Who an identity credits: "email:ADDRESS" is the member who proved the address (a
    // code mailed to it came back), else itself; an address only typed on a profile
    // credits nobody.
    std::map<std::string, std::string> credit_cache;
    auto credit_of = [&](const std::string& identity) -> Result<std::string> {
      if (!identity.starts_with("email:")) return identity;
      if (auto it = credit_cache.find(identity); it != credit_cache.end()) return it->second;
      std::string out_id = identity;
      if (const auto owner = QS_TRY(tx.IdentityOwner(std::string_view(identity).substr(6)))) {
        if (const auto member = QS_TRY(tx.FindMember(*owner)))
          out_id = MemberContributor(member->handle);
      }
      credit_cache[identity] = out_id;
      return out_id;
    };
    for (std::size_t commit_idx = 0; commit_idx < commits.size(); ++commit_idx) {
      const auto& c = commits[commit_idx];
      const std::string& email = emails[commit_idx];
      const std::string evidence = "commit:" + c.sha;
      const std::string contributor = QS_TRY(credit_of("email:" + email));
      // On the record already when an entry for this commit credits the same person:
      // an entry that credits someone else (a thank naming the commit) does not keep
      // its author's import out.
      bool recorded = false;
      for (const auto& row : QS_TRY(tx.ListLedger({0, 100, "", project.value, evidence}))) {
        recorded |= QS_TRY(credit_of(row.contributor)) == contributor;
      }
      if (recorded) {
        ++out.skipped;
        continue;
      }
      Contribution e;
      e.at = c.at;
      e.actor = caller.handle;  // who imported (claimed) it stays on the record
      e.contributor = contributor;
      if (contributor.starts_with("@")) ++out.members;
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
