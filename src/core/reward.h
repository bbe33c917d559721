#pragma once
// Reward rounds (rule 7): a pool paid out from two signals, blended by alpha.
//   (a) the record: each member's contribution weight over the round's period, from
//       the ledger's entries with a weight per kind (per entry, plus per unit of
//       quantity, e.g. per GPU-hour);
//   (b) peer allocation: each participant spreads up to 100 points over others,
//       never themselves; points not given are dropped.
// What counts in the record (rules 2, every round opened since issue 14; a round's
// settings in the ledger say which rules it was opened under, so rounds opened before
// recompute as they were paid):
//   - a self-recorded entry (a member's own work recorded by that member: a thank of
//     themselves or of an address they proved, an import of their own commits) counts
//     once another member confirms it (a `confirmation` entry, evidence entry:SEQ);
//   - a posted idea (the `conceptualization` entry the lab records for it) counts once
//     another member backs the idea (or confirms the entry);
//   - per member and kind, at most cap_per_kind entries count their per-entry weight
//     in a round (the first ones, in ledger order); per-unit weight is not capped.
// Entries the lab records of an act (a job run, a task done, a project started, a
// backing) count as they are, within the cap.
// share = alpha * record / total record + (1 - alpha) * points / total points (when
// one signal is empty the other takes its place), paid in whole minor units by the
// largest-remainder method so the payouts sum to the pool exactly. All arithmetic is
// integer, so a recompute from an export gives the identical payout anywhere.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/error.h"
#include "core/contribution.h"

namespace qiusuo {

// Weights in thousandths: per entry, and per unit of quantity.
struct KindWeight {
  std::int64_t per_entry_milli = 0;
  std::int64_t per_unit_milli = 0;
};
using RewardWeights = std::map<std::string, KindWeight>;

// The shipped defaults, from the table of kinds.
RewardWeights DefaultRewardWeights();

// A reward round is open (points may be given) until a steward closes it (paid).
enum class RoundState { kOpen, kClosed };
// "open", "closed": the words the store keeps and the API sends.
std::string_view RoundStateName(RoundState state);
std::optional<RoundState> ParseRoundState(std::string_view name);

// The rules a round is opened under now, and the default cap of counted entries per
// member and kind in a round.
inline constexpr int kRewardRules = 2;
inline constexpr std::int64_t kDefaultCapPerKind = 20;

struct RewardSettings {
  std::string title;
  std::int64_t pool_minor = 0;  // e.g. cents
  std::string currency;         // e.g. "CNY", "EUR"
  UnixSeconds period_from = 0;  // entries with period_from <= at < period_to count
  UnixSeconds period_to = 0;
  std::int64_t alpha_milli = 500;  // the record's part, in thousandths
  RewardWeights weights;
  int rules = kRewardRules;  // 1: every entry counts (rounds opened before rules 2)
  std::int64_t cap_per_kind = kDefaultCapPerKind;  // rules 2; 0 means no cap
};

struct PeerPoints {
  std::string giver;     // handle
  std::string receiver;  // handle
  std::int64_t points = 0;
};

struct Payee {
  std::string handle;
  std::int64_t record_milli = 0;  // contribution weight, thousandths
  std::int64_t points = 0;        // points received
  std::int64_t amount_minor = 0;
};

// Members' record weights from the entries that count (in the period, of members,
// not corrected by a later entry among `entries`, and under rules 2 confirmed or
// backed where they must be, within the cap per kind).
std::map<std::string, std::int64_t> RecordWeights(const std::vector<Contribution>& entries,
                                                  const RewardSettings& settings);

// The payout: every member with record weight or points, by handle.
std::vector<Payee> ComputePayout(const RewardSettings& settings,
                                 const std::map<std::string, std::int64_t>& record,
                                 const std::vector<PeerPoints>& points);

Status ValidateRewardSettings(const RewardSettings& s);

}  // namespace qiusuo
