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

class Identities {
 public:
  Identities(Store& store, const Clock& clock, Mailer mailer = {});

  // Claiming an external identity (an email seen in imported history): a code goes
  // to the address; confirming with it merges the identity into the caller, as a
  // ledger entry. The entries keep their contributor; views credit the member.
  Status Claim(const Caller& caller, const std::string& email);
  Result<Contribution> Confirm(const Caller& caller, const std::string& email,
                               const std::string& code);

  // Records commits as `software` entries of the project, once per commit: an author
  // whose email a member lists is that member, anyone else an external identity.
  // Only the project's active members import.
  Result<ImportResult> ImportCommits(const Caller& caller, ProjectId project,
                                     const std::vector<CommitRecord>& commits);

 private:
  Store& store_;
  const Clock& clock_;
  Mailer mailer_;
};

}  // namespace qiusuo
