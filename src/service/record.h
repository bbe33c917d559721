#pragma once
// The contribution record (rules 6 and 7): every act lands as an entry of the
// ledger in the same transaction as the act (AppendContribution); members thank each
// other; checkpoints are signed with the lab's Ed25519 key; the export, proofs,
// profiles and author lists are computed from the entries.
//
// Beside it: identities.h (proving an email, importing commits), rewards.h (reward
// rounds) and citation.h (author lists and payouts as files).

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "core/contribution.h"
#include "crypto/crypto.h"
#include "ledger/ledger.h"
#include "ledger/merkle.h"
#include "service/lab.h"
#include "store/store.h"

namespace qiusuo {

// Appends `c` (seq, prev and hash filled in here) inside the caller's transaction.
Result<std::int64_t> AppendContribution(RecordTx& tx, Contribution c);

// Every entry matching `query` (its after_seq and filters, not its limit), however
// many, read in chunks.
Result<std::vector<Contribution>> AllEntries(RecordTx& tx, LedgerQuery query);

// Entry `seq`, decoded; kNotFound when there is none.
Result<Contribution> ReadEntry(RecordTx& tx, std::int64_t seq);

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

class Record {
 public:
  Record(Store& store, const Clock& clock, crypto::SigningKey key);

  const std::string& public_key() const { return key_.public_key; }

  // A member records a contribution, their own (marked self) or someone else's. Only
  // the kinds MemberMayRecord allows; evidence that names an idea, task, job, project
  // or entry names one that exists, and the lab's own references (round:, email:) are
  // refused; an entry is corrected only by who recorded it or who it is
  // about, and never one of the lab's own kinds.
  Result<Contribution> Thank(const Caller& caller, ThankRequest request);
  // Another member vouches for entry `seq`: a `confirmation` entry (evidence
  // entry:SEQ). A self-recorded entry counts in reward rounds once confirmed
  // (core/reward.h). Nobody confirms their own entry, one they recorded, one of the
  // lab's own kinds, or the same entry twice.
  Result<Contribution> Confirm(const Caller& caller, std::int64_t seq, const std::string& note);
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

  // A member's whole record, with the entries of the identities they proved.
  Result<RecordProfile> Profile(const Caller& caller, const std::string& handle);
  // The project's authors from its entries over [from, to): members (proven
  // identities folded in) and outsiders, most weight first, with their CRediT roles.
  Result<std::vector<Author>> Authors(const Caller& caller, ProjectId project, UnixSeconds from,
                                      UnixSeconds to);

 private:
  // Reads the leaf hashes of entries up to `size` into tree_, incrementally. Holds mu_.
  Status LoadUpTo(std::int64_t size);

  Store& store_;
  const Clock& clock_;
  crypto::SigningKey key_;
  std::mutex mu_;      // guards tree_
  ledger::Tree tree_;  // every entry's leaf, with its complete subtrees: O(log n) proofs
};

}  // namespace qiusuo
