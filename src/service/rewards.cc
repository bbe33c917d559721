#include "service/rewards.h"

#include <cmath>
#include <set>
#include <sstream>

#include "core/validate.h"
#include "service/record.h"

namespace qiusuo {
namespace {

std::string RoundEvidence(std::int64_t round) { return "round:" + std::to_string(round); }

Result<std::vector<RoundPoints>> PointsOf(RecordTx& tx, std::int64_t round) {
  std::vector<RoundPoints> out;
  for (auto& [giver, receiver, n, note] : QS_TRY(tx.ListRewardPoints(round)))
    out.push_back({std::move(giver), std::move(receiver), n, std::move(note)});
  return out;
}

// The settings the round was opened with, as its reward-round entry records them (with
// the rules it was opened under, which the store's columns do not keep); the store's
// when the ledger has none.
Result<RewardSettings> LedgerSettings(const std::vector<Contribution>& entries,
                                      const RewardRound& round) {
  const std::string evidence = RoundEvidence(round.id);
  for (const auto& e : entries) {
    if (e.kind == "reward-round" && e.evidence == evidence) return DecodeRoundSettings(e.note);
  }
  return round.settings;
}

// The rules and cap the round was opened under, from its reward-round entry (the
// store's columns do not keep them); `round` keeps the rest.
Status TakeRulesFromLedger(RecordTx& tx, RewardRound& round) {
  const auto entries = QS_TRY(AllEntries(tx, {0, 0, "", std::nullopt, RoundEvidence(round.id)}));
  for (const auto& e : entries) {
    if (e.kind != "reward-round") continue;
    const RewardSettings settings = QS_TRY(DecodeRoundSettings(e.note));
    round.settings.rules = settings.rules;
    round.settings.cap_per_kind = settings.cap_per_kind;
    break;  // the round's first: the one its opening wrote
  }
  return {};
}

// The round's payout from the entries before `cutoff_seq` and the points given.
Result<std::vector<Payee>> PayoutBefore(RecordTx& tx, const RewardRound& round,
                                        std::int64_t cutoff_seq) {
  std::vector<Contribution> entries = QS_TRY(AllEntries(tx, {0, 0, "", std::nullopt, ""}));
  std::erase_if(entries, [&](const Contribution& c) { return c.seq >= cutoff_seq; });
  const RewardSettings settings = QS_TRY(LedgerSettings(entries, round));
  std::vector<PeerPoints> peer;
  for (const auto& p : QS_TRY(PointsOf(tx, round.id)))
    peer.push_back({p.giver, p.receiver, p.points});
  return ComputePayout(settings, RecordWeights(entries, settings), peer);
}

}  // namespace

Rewards::Rewards(Store& store, const Clock& clock) : store_(store), clock_(clock) {}

std::string EncodeRoundSettings(const RewardSettings& s) {
  std::string out = "title " + s.title + "\npool_minor " + std::to_string(s.pool_minor) +
                    "\ncurrency " + s.currency + "\nperiod_from " + std::to_string(s.period_from) +
                    "\nperiod_to " + std::to_string(s.period_to) + "\nalpha_milli " +
                    std::to_string(s.alpha_milli) + "\nrules " + std::to_string(s.rules) +
                    "\ncap_per_kind " + std::to_string(s.cap_per_kind) + "\n";
  for (const auto& [kind, w] : s.weights) {
    out += "weight " + kind + " " + std::to_string(w.per_entry_milli) + " " +
           std::to_string(w.per_unit_milli) + "\n";
  }
  return out;
}

Result<RewardSettings> DecodeRoundSettings(std::string_view text) {
  RewardSettings s;
  // A round recorded without its rules was opened before rules 2: every entry counts.
  s.rules = 1;
  s.cap_per_kind = 0;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    const auto space = line.find(' ');
    if (space == std::string::npos) return InvalidArgument("settings", "a line without a value");
    const std::string key = line.substr(0, space);
    const std::string value = line.substr(space + 1);
    try {
      if (key == "title")
        s.title = value;
      else if (key == "pool_minor")
        s.pool_minor = std::stoll(value);
      else if (key == "currency")
        s.currency = value;
      else if (key == "period_from")
        s.period_from = std::stoll(value);
      else if (key == "period_to")
        s.period_to = std::stoll(value);
      else if (key == "alpha_milli")
        s.alpha_milli = std::stoll(value);
      else if (key == "rules")
        s.rules = static_cast<int>(std::stoll(value));
      else if (key == "cap_per_kind")
        s.cap_per_kind = std::stoll(value);
      else if (key == "weight") {
        std::istringstream w(value);
        std::string kind;
        KindWeight kw;
        w >> kind >> kw.per_entry_milli >> kw.per_unit_milli;
        s.weights[kind] = kw;
      } else {
        return InvalidArgument("settings", "unknown setting '" + key + "'");
      }
    } catch (const std::exception&) {
      return InvalidArgument("settings", "'" + key + "' is not a number");
    }
  }
  return s;
}

Result<RewardSettings> SettingsOf(const OpenRoundRequest& request) {
  RewardSettings s;
  s.title = request.title;
  s.pool_minor = request.pool_minor;
  s.currency = request.currency;
  s.period_from = request.period_from;
  s.period_to = request.period_to;
  // Ranges first: a number too large for the integer form is refused, not wrapped.
  if (!(request.alpha >= 0 && request.alpha <= 1))
    return InvalidArgument("alpha", "alpha is between 0 and 1");
  s.alpha_milli = std::llround(request.alpha * 1000);
  s.cap_per_kind = request.cap_per_kind;
  s.weights = DefaultRewardWeights();
  for (const auto& [kind, w] : request.weights) {
    constexpr double kMaxWeight = 1e9;
    if (!(w.per_entry >= 0 && w.per_entry <= kMaxWeight && w.per_unit >= 0 &&
          w.per_unit <= kMaxWeight)) {
      return InvalidArgument(
          "weights", "weights." + kind + ": per entry and per unit are numbers from 0 to 1e9");
    }
    s.weights[kind] = {std::llround(w.per_entry * 1000), std::llround(w.per_unit * 1000)};
  }
  QS_TRY_STATUS(ValidateTitle("title", s.title));
  QS_TRY_STATUS(ValidateRewardSettings(s));
  return s;
}

Result<RewardRound> Rewards::OpenRound(const Caller& caller, const OpenRoundRequest& request) {
  if (!caller.steward) return PermissionDenied("only stewards fund and open reward rounds");
  const RewardSettings settings = QS_TRY(SettingsOf(request));
  RewardRound round;
  round.settings = settings;
  round.state = RoundState::kOpen;
  round.opened_by = caller.handle;
  round.created_at = clock_.Now();
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    round.id = QS_TRY(tx.InsertRewardRound(round, caller.id));
    Contribution c;
    c.at = round.created_at;
    c.actor = caller.handle;
    c.contributor = MemberContributor(caller.handle);
    c.kind = "reward-round";
    c.quantity_milli = settings.pool_minor * 1000;
    c.unit = "minor units of " + settings.currency;
    c.evidence = RoundEvidence(round.id);
    c.note = EncodeRoundSettings(settings);
    QS_TRY(AppendContribution(tx, c));
    return {};
  }));
  return round;
}

Status Rewards::GivePoints(const Caller& caller, std::int64_t round_id,
                           const std::vector<PointsGiven>& points) {
  std::int64_t total = 0;
  std::set<std::string> seen;
  for (const auto& [handle, n, note] : points) {
    if (handle == caller.handle)
      return InvalidArgument("points", "points go to others, never to yourself");
    if (n <= 0) return InvalidArgument("points", "give each person a positive number of points");
    if (n > 100)  // also keeps the sum below from overflowing
      return InvalidArgument(
          "points", "you have 100 points to spread; @" + handle + " has " + std::to_string(n));
    if (!seen.insert(handle).second)
      return InvalidArgument("points", "@" + handle + " is listed twice");
    QS_TRY_STATUS(ValidateText("note", note, 1000));
    total += n;
  }
  if (total > 100)
    return InvalidArgument(
        "points", "you have 100 points to spread; these add up to " + std::to_string(total));
  return store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto round = QS_TRY(tx.FindRewardRound(round_id));
    if (!round) return NotFound("there is no reward round " + std::to_string(round_id));
    if (round->state != RoundState::kOpen)
      return FailedPrecondition("round " + std::to_string(round_id) + " is closed");
    std::vector<std::tuple<MemberId, std::int64_t, std::string>> rows;
    rows.reserve(points.size());
    for (const auto& [handle, n, note] : points) {
      auto m = QS_TRY(tx.FindMemberByHandle(handle));
      if (!m) return NotFound("there is no member @" + handle);
      rows.emplace_back(m->id, n, note);
    }
    return tx.PutRewardPoints(round_id, caller.id, rows);
  });
}

Result<RoundView> Rewards::Round(const Caller&, std::int64_t id) {
  RoundView view;
  QS_TRY_STATUS(store_.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    auto round = QS_TRY(tx.FindRewardRound(id));
    if (!round) return NotFound("there is no reward round " + std::to_string(id));
    view.round = *round;
    view.points = QS_TRY(PointsOf(tx, id));
    // The rules and cap the round was opened under are the ledger's word.
    QS_TRY_STATUS(TakeRulesFromLedger(tx, view.round));
    if (round->state == RoundState::kOpen) {
      const auto last = QS_TRY(tx.LastLedgerRow());
      view.payout = QS_TRY(PayoutBefore(tx, *round, (last ? last->seq : 0) + 1));
    } else {
      // As paid, with its breakdown (the ledger's reward entries say the same).
      std::istringstream in(round->payout);
      Payee p;
      while (in >> p.handle >> p.amount_minor >> p.record_milli >> p.points)
        view.payout.push_back(p);
    }
    return {};
  }));
  return view;
}

Result<std::vector<RewardRound>> Rewards::Rounds(const Caller&) {
  return Read(store_, [](Tx& tx) -> Result<std::vector<RewardRound>> {
    auto rounds = QS_TRY(tx.ListRewardRounds());
    for (auto& round : rounds) QS_TRY_STATUS(TakeRulesFromLedger(tx, round));
    return rounds;
  });
}

Result<RoundView> Rewards::CloseRound(const Caller& caller, std::int64_t id) {
  if (!caller.steward) return PermissionDenied("only stewards close reward rounds");
  RoundView view;
  QS_TRY_STATUS(store_.Transact(TxMode::kWrite, [&](Tx& tx) -> Status {
    auto round = QS_TRY(tx.FindRewardRound(id));
    if (!round) return NotFound("there is no reward round " + std::to_string(id));
    if (round->state != RoundState::kOpen)
      return FailedPrecondition("round " + std::to_string(id) + " is closed already");
    const auto last = QS_TRY(tx.LastLedgerRow());
    const std::int64_t cutoff = (last ? last->seq : 0) + 1;
    view.payout = QS_TRY(PayoutBefore(tx, *round, cutoff));
    view.points = QS_TRY(PointsOf(tx, id));
    const UnixSeconds now = clock_.Now();
    // The points as given, then each payment: enough to recompute it from an export.
    for (const auto& [giver, receiver, n, note] : view.points) {
      Contribution c;
      c.at = now;
      c.actor = giver;
      c.contributor = MemberContributor(receiver);
      c.kind = "peer-points";
      c.quantity_milli = n * 1000;
      c.unit = "points";
      c.evidence = RoundEvidence(id);
      c.note = note;
      QS_TRY(AppendContribution(tx, c));
    }
    std::string payout_text;
    for (const auto& p : view.payout) {
      Contribution c;
      c.at = now;
      c.actor = caller.handle;
      c.contributor = MemberContributor(p.handle);
      c.kind = "reward";
      c.quantity_milli = p.amount_minor * 1000;
      c.unit = "minor units of " + round->settings.currency;
      c.evidence = RoundEvidence(id);
      c.note =
          "record " + std::to_string(p.record_milli) + " milli, points " + std::to_string(p.points);
      QS_TRY(AppendContribution(tx, c));
      payout_text += p.handle + " " + std::to_string(p.amount_minor) + " " +
                     std::to_string(p.record_milli) + " " + std::to_string(p.points) + "\n";
    }
    QS_TRY_STATUS(tx.CloseRewardRound(id, now, payout_text));
    view.round = *round;
    QS_TRY_STATUS(TakeRulesFromLedger(tx, view.round));
    view.round.state = RoundState::kClosed;
    view.round.closed_at = now;
    view.round.payout = payout_text;
    return {};
  }));
  return view;
}

Result<Recomputed> RecomputeRound(const std::vector<Contribution>& entries, std::int64_t round) {
  const std::string evidence = RoundEvidence(round);
  Recomputed out;
  std::optional<std::int64_t> cutoff;
  bool opened = false;
  std::vector<PeerPoints> peer;
  for (const auto& e : entries) {
    if (e.evidence != evidence) continue;
    if (e.kind == "reward-round") {
      out.settings = QS_TRY(DecodeRoundSettings(e.note));
      opened = true;
    } else if (e.kind == "peer-points" || e.kind == "reward") {
      if (!cutoff) cutoff = e.seq;
      if (e.kind == "peer-points") {
        peer.push_back({e.actor, e.contributor.substr(1), e.quantity_milli / 1000});
      } else {
        out.recorded.push_back({e.contributor.substr(1), 0, 0, e.quantity_milli / 1000});
      }
    }
  }
  if (!opened) return NotFound("the export has no reward round " + std::to_string(round));
  if (!cutoff)
    return FailedPrecondition("round " + std::to_string(round) + " is not closed in this export");
  std::vector<Contribution> before;
  for (const auto& e : entries) {
    if (e.seq < *cutoff) before.push_back(e);
  }
  out.payout = ComputePayout(out.settings, RecordWeights(before, out.settings), peer);
  return out;
}

}  // namespace qiusuo
