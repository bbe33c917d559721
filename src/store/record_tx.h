#pragma once
// The record as stored: the append-only ledger and its signed checkpoints, identity
// claims, reward rounds and their peer points. Part of Tx; service code that touches
// only these takes a RecordTx.

#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "common/ids.h"
#include "core/contribution.h"
#include "core/reward.h"

namespace qiusuo {

// One ledger entry as stored: its canonical bytes and leaf hash (ledger/ledger.h),
// and a few of its fields again, for lookups.
struct LedgerRow {
  std::int64_t seq = 0;
  std::string entry;
  std::string leaf_hash;  // hex
  std::string contributor;
  std::string kind;
  std::optional<std::int64_t> project;
  std::string evidence;
  UnixSeconds at = 0;
};

// Entries after `after_seq`, oldest first; empty filters match everything.
struct LedgerQuery {
  std::int64_t after_seq = 0;
  int limit = 1000;
  std::string contributor;
  std::optional<std::int64_t> project;
  std::string evidence;
};

struct StoredCheckpoint {
  std::int64_t tree_size = 0;
  std::string root;  // hex
  UnixSeconds at = 0;
  std::string signature;  // hex
};

struct IdentityClaim {
  std::string email;  // lowercase
  MemberId member;
  std::string code_hash;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
  std::optional<UnixSeconds> confirmed_at;
  std::int64_t attempts = 0;    // wrong codes tried against this claim's current code
  std::int64_t mails = 0;       // claim mails sent for it since window_from
  UnixSeconds window_from = 0;  // start of the day-long window `mails` counts in
};

struct RewardRound {
  std::int64_t id = 0;
  RewardSettings settings;
  RoundState state = RoundState::kOpen;
  std::string opened_by;  // handle, filled on reads
  UnixSeconds created_at = 0;
  std::optional<UnixSeconds> closed_at;
  std::string payout;  // JSON, once closed
};

class RecordTx {
 public:
  virtual ~RecordTx() = default;

  // The ledger. Rows are only ever appended; the database refuses UPDATE and DELETE.
  virtual Result<std::optional<LedgerRow>> LastLedgerRow() = 0;
  virtual Status AppendLedger(const LedgerRow& row) = 0;
  virtual Result<std::vector<LedgerRow>> ListLedger(const LedgerQuery& query) = 0;
  // Leaf hashes (hex) of entries after_seq+1 .. after_seq+limit.
  virtual Result<std::vector<std::string>> LedgerLeafHashes(std::int64_t after_seq, int limit) = 0;
  virtual Status InsertCheckpoint(const StoredCheckpoint& cp) = 0;
  virtual Result<std::optional<StoredCheckpoint>> LatestCheckpoint() = 0;

  // Identity claims; Put replaces a member's pending claim of the same email.
  virtual Status PutIdentityClaim(const IdentityClaim& claim) = 0;
  virtual Result<std::optional<IdentityClaim>> FindIdentityClaim(std::string_view email,
                                                                 MemberId member) = 0;
  // The member who proved this email, if anyone has.
  virtual Result<std::optional<MemberId>> IdentityOwner(std::string_view email) = 0;
  virtual Status ConfirmIdentityClaim(std::string_view email, MemberId member, UnixSeconds at) = 0;
  // One more wrong code tried against the claim; the claim's attempts after it.
  virtual Result<std::int64_t> MissIdentityClaim(std::string_view email, MemberId member) = 0;
  // Claim mails counted in windows that began at or after `since`: of one member (to
  // any address), and to one address (from any member).
  virtual Result<std::int64_t> IdentityMailsOfMember(MemberId member, UnixSeconds since) = 0;
  virtual Result<std::int64_t> IdentityMailsToAddress(std::string_view email,
                                                      UnixSeconds since) = 0;

  // Reward rounds and their peer points.
  virtual Result<std::int64_t> InsertRewardRound(const RewardRound& round, MemberId opened_by) = 0;
  virtual Result<std::optional<RewardRound>> FindRewardRound(std::int64_t id) = 0;
  virtual Result<std::vector<RewardRound>> ListRewardRounds() = 0;
  virtual Status CloseRewardRound(std::int64_t id, UnixSeconds at, const std::string& payout) = 0;
  // Replaces everything `giver` gave in the round.
  virtual Status PutRewardPoints(
      std::int64_t round, MemberId giver,
      const std::vector<std::tuple<MemberId, std::int64_t, std::string>>& points) = 0;
  // (giver handle, receiver handle, points, note), in giver then receiver order.
  virtual Result<std::vector<std::tuple<std::string, std::string, std::int64_t, std::string>>>
  ListRewardPoints(std::int64_t round) = 0;
};

}  // namespace qiusuo
