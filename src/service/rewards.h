#pragma once
// Reward rounds (rule 7): a steward funds a pool for a period; members spread up to
// 100 points over others; closing the round pays the pool from the record and the
// points (core/reward.h has the formula) and writes points and payments to the
// ledger, so that anyone can recompute the payout from an export.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "core/contribution.h"
#include "core/reward.h"
#include "service/lab.h"
#include "store/store.h"

namespace qiusuo {

// A kind's weight as a steward gives it: per entry, and per unit of quantity (e.g.
// per GPU-hour). Kept to thousandths.
struct WeightGiven {
  double per_entry = 0;
  double per_unit = 0;
};

struct OpenRoundRequest {
  std::string title;
  std::int64_t pool_minor = 0;  // e.g. cents
  std::string currency;         // e.g. "CNY", "EUR"
  UnixSeconds period_from = 0;  // entries with period_from <= at < period_to count
  UnixSeconds period_to = 0;
  double alpha = 0.5;  // the record's part of the blend, 0 to 1
  // By kind; kinds not named keep their defaults (DefaultRewardWeights).
  std::map<std::string, WeightGiven> weights;
  // At most this many entries per member and kind count their per-entry weight; 0: no cap.
  std::int64_t cap_per_kind = kDefaultCapPerKind;
};

// Points one member gives another in a round, with an optional note of why.
struct PointsGiven {
  std::string handle;  // the receiver, without '@'
  std::int64_t points = 0;
  std::string note;
};

// Points as given in a round: who gave how many to whom.
struct RoundPoints {
  std::string giver;     // handle
  std::string receiver;  // handle
  std::int64_t points = 0;
  std::string note;
};

struct RoundView {
  RewardRound round;
  std::vector<Payee> payout;  // computed now for an open round, as paid for a closed one
  std::vector<RoundPoints> points;
};

class Rewards {
 public:
  Rewards(Store& store, const Clock& clock);

  // Stewards only. The settings are checked here, each error naming its field.
  Result<RewardRound> OpenRound(const Caller& caller, const OpenRoundRequest& request);
  // Replaces the caller's points in an open round; at most 100 in all, each a whole
  // positive number, never to oneself, each receiver once.
  Status GivePoints(const Caller& caller, std::int64_t round,
                    const std::vector<PointsGiven>& points);
  Result<RoundView> Round(const Caller& caller, std::int64_t round);
  Result<std::vector<RewardRound>> Rounds(const Caller& caller);
  // Stewards only. Computes the payout, records points and payments in the ledger,
  // and publishes it.
  Result<RoundView> CloseRound(const Caller& caller, std::int64_t round);

 private:
  Store& store_;
  const Clock& clock_;
};

// The settings a request asks for, in the ledger's integer form: thousandths,
// defaults for kinds not named. Checks every field (ValidateRewardSettings too).
Result<RewardSettings> SettingsOf(const OpenRoundRequest& request);

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
