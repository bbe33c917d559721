#include "core/reward.h"

#include <algorithm>
#include <cmath>
#include <set>

namespace qiusuo {

RewardWeights DefaultRewardWeights() {
  RewardWeights out;
  for (const auto& k : ContributionKinds()) {
    out[std::string(k.name)] = {static_cast<std::int64_t>(std::llround(k.weight * 1000)),
                                static_cast<std::int64_t>(std::llround(k.weight_per_unit * 1000))};
  }
  return out;
}

namespace {

// The handle in "@handle"; empty for anything else.
std::string_view HandleOf(std::string_view contributor) {
  return contributor.starts_with("@") ? contributor.substr(1) : std::string_view{};
}

}  // namespace

std::map<std::string, std::int64_t> RecordWeights(const std::vector<Contribution>& entries,
                                                  const RewardSettings& settings) {
  std::set<std::int64_t> corrected;
  for (const auto& e : entries) {
    if (e.corrects) corrected.insert(*e.corrects);
  }
  const auto merges = IdentityMerges(entries);
  const bool rules2 = settings.rules >= 2;
  // Who vouched for what: confirmations by entry, backings by idea (handles).
  std::map<std::int64_t, std::set<std::string>> confirmed_by;
  std::map<std::string, std::set<std::string>> backed_by;
  if (rules2) {
    for (const auto& e : entries) {
      if (corrected.contains(e.seq)) continue;
      if (e.kind == "confirmation" && e.evidence.starts_with("entry:")) {
        const std::string_view digits = std::string_view(e.evidence).substr(6);
        if (!digits.empty() && digits.size() <= 18 &&
            digits.find_first_not_of("0123456789") == std::string_view::npos) {
          confirmed_by[std::stoll(std::string(digits))].insert(e.actor);
        }
      } else if (e.kind == "backing" && e.evidence.starts_with("idea:")) {
        backed_by[e.evidence].insert(e.actor);
      }
    }
  }
  auto vouched_by_other = [](const auto& map, const auto& key, std::string_view beneficiary) {
    auto it = map.find(key);
    if (it == map.end()) return false;
    return std::any_of(it->second.begin(), it->second.end(),
                       [&](const std::string& who) { return who != beneficiary; });
  };
  std::map<std::pair<std::string, std::string>, std::int64_t> counted;  // (handle, kind)
  std::map<std::string, std::int64_t> out;
  for (const auto& e : entries) {
    if (corrected.contains(e.seq) || e.at < settings.period_from || e.at >= settings.period_to)
      continue;
    const std::string& who = Resolve(merges, e.contributor);
    if (!who.starts_with("@")) continue;  // remembered, but paid once claimed
    auto it = settings.weights.find(e.kind);
    if (it == settings.weights.end()) continue;
    std::int64_t per_entry = it->second.per_entry_milli;
    if (rules2) {
      const std::string_view beneficiary = HandleOf(who);
      // Recorded by the beneficiary about their own work: directly (self), or through
      // an address of theirs that was not yet merged when it was recorded.
      const bool self_recorded =
          e.self || (e.actor == beneficiary && !e.contributor.starts_with("@"));
      // The lab's record of an idea its author posted.
      const bool posted_idea = e.kind == "conceptualization" && !e.self &&
                               e.evidence.starts_with("idea:") && e.actor == beneficiary;
      const bool confirmed = vouched_by_other(confirmed_by, e.seq, beneficiary);
      if (self_recorded && !confirmed) continue;
      if (posted_idea && !confirmed && !vouched_by_other(backed_by, e.evidence, beneficiary))
        continue;
      const std::int64_t n = ++counted[{who, e.kind}];
      if (settings.cap_per_kind > 0 && n > settings.cap_per_kind) per_entry = 0;
    }
    // Saturating: no quantity or weight, however large, wraps a member's total.
    constexpr __int128 kMaxWeight = std::int64_t{1} << 60;
    const __int128 w = std::min<__int128>(
        kMaxWeight, per_entry + static_cast<__int128>(it->second.per_unit_milli) *
                                    std::max<std::int64_t>(e.quantity_milli, 0) / 1000);
    if (w > 0) {
      auto& total = out[who.substr(1)];
      total = static_cast<std::int64_t>(std::min<__int128>(kMaxWeight, total + w));
    }
  }
  return out;
}

std::vector<Payee> ComputePayout(const RewardSettings& settings,
                                 const std::map<std::string, std::int64_t>& record,
                                 const std::vector<PeerPoints>& points) {
  std::map<std::string, Payee> payees;
  __int128 total_record = 0;
  __int128 total_points = 0;
  for (const auto& [handle, w] : record) {
    payees[handle] = {handle, w, 0, 0};
    total_record += w;
  }
  for (const auto& p : points) {
    if (p.points <= 0 || p.giver == p.receiver) continue;
    auto& payee = payees[p.receiver];
    payee.handle = p.receiver;
    payee.points += p.points;
    total_points += p.points;
  }
  std::int64_t alpha = std::clamp<std::int64_t>(settings.alpha_milli, 0, 1000);
  if (total_points == 0) alpha = 1000;
  if (total_record == 0) alpha = 0;
  if (total_record == 0 && total_points == 0) return {};
  // share_i = (alpha * r_i * P + (1000 - alpha) * p_i * R) / (1000 * R * P), with a
  // missing signal's total taken as 1 (its part is zero then).
  const __int128 r_total = total_record == 0 ? 1 : total_record;
  const __int128 p_total = total_points == 0 ? 1 : total_points;
  const __int128 denominator = 1000 * r_total * p_total;
  struct Part {
    Payee* payee;
    __int128 remainder;
  };
  std::vector<Part> parts;
  std::int64_t paid = 0;
  for (auto& [handle, payee] : payees) {
    const __int128 numerator = static_cast<__int128>(alpha) * payee.record_milli * p_total +
                               static_cast<__int128>(1000 - alpha) * payee.points * r_total;
    const __int128 exact = numerator * settings.pool_minor;
    payee.amount_minor = static_cast<std::int64_t>(exact / denominator);
    paid += payee.amount_minor;
    parts.push_back({&payee, exact % denominator});
  }
  // Largest remainder: the units left go one each to the largest fractional parts
  // (ties by handle, so the result never depends on anything else).
  std::stable_sort(parts.begin(), parts.end(),
                   [](const Part& a, const Part& b) { return a.remainder > b.remainder; });
  for (std::size_t i = 0; paid < settings.pool_minor && i < parts.size(); ++i, ++paid) {
    if (parts[i].remainder == 0) break;
    ++parts[i].payee->amount_minor;
  }
  std::vector<Payee> out;
  out.reserve(payees.size());
  for (auto& [handle, payee] : payees) out.push_back(payee);
  return out;
}

Status ValidateRewardSettings(const RewardSettings& s) {
  if (s.title.empty()) return InvalidArgument("title", "a round needs a title");
  if (s.pool_minor <= 0)
    return InvalidArgument("pool", "the pool is a positive amount, like 100000.00");
  if (s.currency.size() < 2 || s.currency.size() > 8 ||
      !std::all_of(s.currency.begin(), s.currency.end(),
                   [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); })) {
    return InvalidArgument("currency", "a currency is a code like CNY, EUR or USD");
  }
  if (s.period_to <= s.period_from)
    return InvalidArgument("period", "the period ends after it starts");
  if (s.alpha_milli < 0 || s.alpha_milli > 1000)
    return InvalidArgument("alpha", "alpha is between 0 and 1");
  if (s.rules < 1 || s.rules > kRewardRules)
    return InvalidArgument("rules", "rules are 1 or " + std::to_string(kRewardRules));
  if (s.cap_per_kind < 0 || s.cap_per_kind > 1'000'000)
    return InvalidArgument("cap_per_kind", "a cap is a whole number from 0 (none) to 1000000");
  for (const auto& [kind, w] : s.weights) {
    if (!FindContributionKind(kind))
      return InvalidArgument("weights", "'" + kind + "' is not a contribution kind");
    if (w.per_entry_milli < 0 || w.per_unit_milli < 0)
      return InvalidArgument("weights", "weights are not negative");
  }
  return {};
}

std::string_view RoundStateName(RoundState state) {
  return state == RoundState::kOpen ? "open" : "closed";
}

std::optional<RoundState> ParseRoundState(std::string_view name) {
  if (name == "open") return RoundState::kOpen;
  if (name == "closed") return RoundState::kClosed;
  return std::nullopt;
}

}  // namespace qiusuo
