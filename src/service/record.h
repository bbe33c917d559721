#pragma once
// The contribution ledger as the lab uses it (rules 6 and 7): every act lands as an
// entry in the same transaction as the act (AppendContribution); members thank each
// other; checkpoints are signed with the lab's Ed25519 key; the export, proofs,
// profiles, author lists and reward rounds are computed from the entries.

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/contribution.h"
#include "core/reward.h"
#include "crypto/crypto.h"
#include "ledger/ledger.h"
#include "service/lab.h"
#include "store/store.h"

namespace qiusuo {

// Appends `c` (seq, prev and hash filled in here) inside the caller's transaction.
Result<std::int64_t> AppendContribution(Tx& tx, Contribution c);

// Calls `leaf` with the leaf hashes of entries after+1 .. upto (all after `after`
// when upto is 0), read in chunks.
Status ForEachLeaf(Store& store, std::int64_t after, std::int64_t upto,
                   const std::function<void(const ledger::Hash&)>& leaf);

// The lab's ledger key: DATA/ledger.key holds the Ed25519 secret key in hex, mode 0600.
// Made by `qiusuo init` (or on first start for labs made before the ledger).
Result<crypto::SigningKey> LoadLedgerKey(const std::string& path, bool create_if_missing);

struct ThankRequest {
  std::string contributor;  // @handle or email:ADDRESS
  std::string kind;
  std::optional<ProjectId> project;
  std::int64_t quantity_milli = 0;
  std::string unit;
  std::string evidence;
  std::string note;
  std::optional<std::int64_t> corrects;
};

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

struct ProfileTotal {
  std::string key;  // a kind, or a project id
  std::int64_t entries = 0;
  std::int64_t quantity_milli = 0;
  std::string unit;
};

struct RecordProfile {
  std::string contributor;
  std::vector<Contribution> timeline;   // every entry, oldest first; nothing dropped
  std::vector<std::int64_t> corrected;  // seqs of entries a later entry corrects
  std::vector<ProfileTotal> by_kind;
  std::vector<ProfileTotal> by_project;
};

struct Author {
  std::string contributor;  // @handle or email:...
  std::string name;         // the member's name, else the contributor id
  std::int64_t weight_milli = 0;
  std::vector<std::string> roles;  // CRediT roles, in the taxonomy's order
  UnixSeconds first = 0;
};

struct RoundView {
  RewardRound round;
  std::vector<Payee> payout;  // computed now for an open round, as paid for a closed one
  std::vector<std::tuple<std::string, std::string, std::int64_t, std::string>> points;
};

// Sends one email (the server's mail_command); empty when the lab sends no mail.
using Mailer = std::function<Status(const std::string& to, const std::string& subject,
                                    const std::string& body)>;

class Ledger {
 public:
  Ledger(Store& store, const Clock& clock, crypto::SigningKey key, Mailer mailer = {});

  const std::string& public_key() const { return key_.public_key; }

  // A member records a contribution, their own (marked self) or someone else's.
  Result<Contribution> Thank(const Caller& caller, ThankRequest request);
  Result<std::vector<Contribution>> Entries(const Caller& caller, const LedgerQuery& query);
  Result<Contribution> Entry(const Caller& caller, std::int64_t seq);

  // The latest checkpoint, signing a new one if entries came since.
  Result<ledger::Checkpoint> Checkpoint();
  // Streams the export: every entry up to a fresh checkpoint, then the checkpoint.
  Status Export(const std::function<void(std::string_view line)>& sink);
  // The export lines of entries after+1 .. upto, without a checkpoint: a page of it.
  Status ExportRange(std::int64_t after, std::int64_t upto,
                     const std::function<void(std::string_view line)>& sink);
  Result<std::vector<ledger::Hash>> InclusionProof(std::int64_t seq, std::int64_t tree_size);
  Result<std::vector<ledger::Hash>> ConsistencyProof(std::int64_t first, std::int64_t second);
  Result<ledger::Hash> LeafHashOf(std::int64_t seq);

  Result<RecordProfile> Profile(const Caller& caller, const std::string& handle);
  // Claiming an external identity (an email seen in imported history): a code goes
  // to the address; confirming with it merges the identity into the caller, as a
  // ledger entry. The entries keep their contributor; views credit the member.
  Status ClaimIdentity(const Caller& caller, const std::string& email);
  Result<Contribution> ConfirmIdentity(const Caller& caller, const std::string& email,
                                       const std::string& code);
  // Records commits as `software` entries of the project, once per commit: an author
  // whose email a member lists is that member, anyone else an external identity.
  Result<ImportResult> ImportCommits(const Caller& caller, ProjectId project,
                                     const std::vector<CommitRecord>& commits);
  Result<std::vector<Author>> Authors(const Caller& caller, ProjectId project, UnixSeconds from,
                                      UnixSeconds to);

  Result<RewardRound> OpenRound(const Caller& caller, RewardSettings settings);
  // Replaces the caller's points in an open round; at most 100 in all, never to oneself.
  Status GivePoints(const Caller& caller, std::int64_t round,
                    const std::vector<std::tuple<std::string, std::int64_t, std::string>>& points);
  Result<RoundView> Round(const Caller& caller, std::int64_t round);
  Result<std::vector<RewardRound>> Rounds(const Caller& caller);
  // Computes the payout, records points and payments in the ledger, and publishes it.
  Result<RoundView> CloseRound(const Caller& caller, std::int64_t round);

 private:
  // Reads the leaf hashes of entries up to `size` into tree_, incrementally. Holds mu_.
  Status LoadUpTo(std::int64_t size);
  Result<std::vector<Payee>> ComputeRound(Tx& tx, const RewardRound& round,
                                          std::int64_t cutoff_seq);

  Store& store_;
  const Clock& clock_;
  crypto::SigningKey key_;
  Mailer mailer_;
  std::mutex mu_;      // guards tree_
  ledger::Tree tree_;  // every entry's leaf, with its complete subtrees: O(log n) proofs
};

// Author lists as files: CITATION.cff (Citation File Format 1.2.0) and a BibTeX entry.
std::string CitationCff(const std::string& title, const std::vector<Author>& authors,
                        UnixSeconds to);
std::string BibTeX(std::int64_t project, const std::string& title,
                   const std::vector<Author>& authors, UnixSeconds to);
// handle,amount,currency,record_weight,points_received
std::string PayoutCsv(const RoundView& view);
// Minor units as a decimal amount: 123456 -> "1234.56".
std::string FormatMinor(std::int64_t minor);

// The round's payout from an export alone: settings, points and the record as the
// ledger holds them. Used by `qiusuo rewards recompute`.
struct Recomputed {
  RewardSettings settings;
  std::vector<Payee> payout;    // computed from the record and points
  std::vector<Payee> recorded;  // as the ledger's reward entries say it was paid
};
Result<Recomputed> RecomputeRound(const std::vector<Contribution>& entries, std::int64_t round);

// Round settings as the ledger records them (the note of the reward-round entry).
std::string EncodeRoundSettings(const RewardSettings& s);
Result<RewardSettings> DecodeRoundSettings(std::string_view text);

}  // namespace qiusuo
