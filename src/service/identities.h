#pragma once
// Who a contribution belongs to, beyond the members' own acts: a member proves an
// email (a code mailed to it) and the entries of that identity count as theirs; a
// project's members import its git history, each commit credited by its author's
// email to a member, or else to the email as an outside identity.

#include <functional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/contribution.h"
#include "service/lab.h"
#include "store/store.h"

namespace qiusuo {

// Sends one email (the server's mail_command); empty when the lab sends no mail.
using Mailer = std::function<Status(const std::string& to, const std::string& subject,
                                    const std::string& body)>;

// One commit of an imported repository.
struct CommitRecord {
  std::string sha;  // 40 hex digits
  std::string author_name;
  std::string author_email;
  UnixSeconds at = 0;      // author time
  std::int64_t lines = 0;  // added + deleted against the first parent; 0 for merges
  std::string headline;
};

struct ImportResult {
  std::int64_t recorded = 0;
  std::int64_t skipped = 0;  // already on the record for this project
  std::int64_t members = 0;  // of the recorded, how many were matched to a member by email
};

// Proving an address: a code of kCodeBytes random bytes (160 bits, from libsodium),
// stored only as its SHA-256; it expires after kClaimLifetime and dies after
// kAttemptsPerCode wrong tries. A member asks for at most kMailsPerMember codes a day
// (so at most kMailsPerMember * kAttemptsPerCode guesses a day), and an address is sent
// at most kMailsPerAddress codes a day, whoever asks.
inline constexpr std::size_t kCodeBytes = 20;
inline constexpr UnixSeconds kClaimLifetime = UnixSeconds{24} * 3600;
inline constexpr std::int64_t kAttemptsPerCode = 5;
inline constexpr UnixSeconds kMailWindow = UnixSeconds{24} * 3600;
inline constexpr std::int64_t kMailsPerMember = 5;
inline constexpr std::int64_t kMailsPerAddress = 3;

// Bounds on an import: commits per request, lines changed per commit, and how far in
// the future an author time may be (clocks drift) before it is refused.
inline constexpr std::size_t kMaxCommitsPerImport = 10'000;
inline constexpr std::int64_t kMaxLinesPerCommit = 10'000'000;
inline constexpr UnixSeconds kCommitClockSkew = UnixSeconds{24} * 3600;

class Identities {
 public:
  Identities(Store& store, const Clock& clock, Mailer mailer = {});

  // Claiming an external identity (an email seen in imported history, or one's own
  // sign-up address): a code goes to the address; confirming with it merges the
  // identity into the caller, as a ledger entry. The entries keep their contributor;
  // views credit the member. Only addresses proven so credit anyone: an address typed
  // on a profile proves nothing. Too many codes asked: kResourceExhausted (429).
  Status Claim(const Caller& caller, const std::string& email);
  Result<Contribution> Confirm(const Caller& caller, const std::string& email,
                               const std::string& code);

  // Records commits as `software` entries of the project, once per commit, each with
  // the importer as its actor (who claimed it): an author whose address a member
  // proved is that member, anyone else an external identity (credited to a member
  // once they prove the address). Each commit is checked: a 40 or 64 hex id, lines
  // within kMaxLinesPerCommit, an author time from 1970 to now plus kCommitClockSkew,
  // an author email. Only the project's active members import.
  Result<ImportResult> ImportCommits(const Caller& caller, ProjectId project,
                                     const std::vector<CommitRecord>& commits);

 private:
  Store& store_;
  const Clock& clock_;
  Mailer mailer_;
};

}  // namespace qiusuo
