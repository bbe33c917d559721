// Reward rounds: a pool paid out from the record and from peers' points.
#include "service/rewards.h"

#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>

#include "cli/config.h"
#include "cli/parse.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"
#include "ledger/ledger.h"
#include "service/citation.h"

namespace qiusuo::cli {
namespace {

struct RewardOptions {
  std::string title, pool, currency, alpha, from, to, weights_file, output, file;
  std::vector<std::string> weights, gifts;
  std::int64_t round = 0;
  std::optional<std::int64_t> cap;
  bool csv = false;
};

void PrintRound(const json& r) {
  std::cout << "round " << r["id"] << "  " << r["title"].get<std::string>() << "  ("
            << r["state"].get<std::string>() << ")\n"
            << "pool " << r["pool"].get<std::string>() << " " << r["currency"].get<std::string>()
            << ", period " << r["period_from"].get<std::string>().substr(0, 10) << " to "
            << r["period_to"].get<std::string>().substr(0, 10) << ", alpha "
            << r["alpha"].get<double>() << " (record) / " << 1 - r["alpha"].get<double>()
            << " (peers)\n";
  if (r.value("rules", 1) >= 2) {
    std::cout << "rules " << r["rules"] << ": self-recorded entries count once another member "
              << "confirms them, posted ideas once another member backs them; at most "
              << r.value("cap_per_kind", 0) << " entries per member and kind count\n";
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : r["payout"]) {
    std::ostringstream w;
    w << p["record_weight"].get<double>();
    rows.push_back({"@" + p["handle"].get<std::string>(), w.str(), p["points_received"].dump(),
                    p["amount"].get<std::string>() + " " + r["currency"].get<std::string>()});
  }
  std::cout << (r["state"] == "open" ? "payout if closed now:\n" : "payout:\n");
  if (rows.empty())
    std::cout << "  nobody yet: no recorded contributions in the period and no points\n";
  else
    PrintTable(std::cout, {"MEMBER", "RECORD WEIGHT", "POINTS", "AMOUNT"}, rows, 40);
}

}  // namespace

void AddRewardVerbs(CLI::App& app, Context& ctx) {
  RewardOptions& o = ctx.Keep<RewardOptions>();
  Client& client = ctx.client();
  // Reward rounds.
  auto* rewards = app.add_subcommand(
      "rewards", "reward rounds: a pool paid from the record and from peers' points");
  rewards->require_subcommand(1);
  auto* open = rewards->add_subcommand("open", "stewards: open a round");
  open->add_option("--title", o.title, "e.g. \"2026 H2\"")->required();
  open->add_option("--pool", o.pool, "the amount to pay out, e.g. 100000 or 100000.00")->required();
  open->add_option("--currency", o.currency, "e.g. CNY, EUR, USD")->required();
  open->add_option("--from", o.from, "period start, 2026-07-01")->required();
  open->add_option("--to", o.to, "period end, exclusive, 2027-01-01")->required();
  open->add_option("--alpha", o.alpha, "the record's part, 0..1 (default 0.5; the rest is peers')");
  open->add_option("--weights", o.weights_file,
                   "a weights file (docs/reward-weights.toml is the shipped defaults)");
  open->add_option("--weight", o.weights,
                   "KIND=PER_ENTRY[,PER_UNIT], overrides a default (repeatable)");
  open->add_option("--cap", o.cap,
                   "at most this many entries per member and kind count in the round (default "
                   "20; 0: no cap)");
  open->callback(ctx.Run([&]() -> Status {
    json body = {{"title", o.title},
                 {"pool_minor", QS_TRY(ParseAmount(o.pool))},
                 {"currency", o.currency},
                 {"period_from", QS_TRY(ParseDay(o.from, "from"))},
                 {"period_to", QS_TRY(ParseDay(o.to, "to"))}};
    if (!o.alpha.empty()) {
      try {
        body["alpha"] = std::stod(o.alpha);
      } catch (const std::exception&) {
        return InvalidArgument("alpha", "--alpha is a number between 0 and 1");
      }
    }
    // The file first, then single --weight overrides.
    std::vector<KindWeight> given;
    if (!o.weights_file.empty()) given = QS_TRY(LoadRewardWeights(o.weights_file));
    for (const auto& item : o.weights) given.push_back(QS_TRY(ParseWeight(item)));
    json w = json::object();
    for (const KindWeight& k : given)
      w[k.kind] = {{"per_entry", k.per_entry}, {"per_unit", k.per_unit}};
    if (!w.empty()) body["weights"] = w;
    if (o.cap) body["cap_per_kind"] = *o.cap;
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/rewards/rounds", body)), [](const json& r) {
      std::cout << "opened reward round " << r["id"] << ": " << r["pool"].get<std::string>() << " "
                << r["currency"].get<std::string>() << "\n";
    });
    return {};
  }));
  rewards->add_subcommand("list", "reward rounds")->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/rewards/rounds")), [](const json& list) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& r : list["items"]) {
        rows.push_back({r["id"].dump(), r["title"],
                        r["pool"].get<std::string>() + " " + r["currency"].get<std::string>(),
                        r["period_from"].get<std::string>().substr(0, 10) + " .. " +
                            r["period_to"].get<std::string>().substr(0, 10),
                        r["state"]});
      }
      if (rows.empty()) {
        std::cout << "No reward rounds yet.\n";
        return;
      }
      PrintTable(std::cout, {"ROUND", "TITLE", "POOL", "PERIOD", "STATE"}, rows, 40);
    });
    return {};
  }));
  auto* show = rewards->add_subcommand("show", "a round: its payout (as it stands or as paid)");
  show->add_option("round", o.round, "round id")->required();
  show->add_flag("--csv", o.csv, "the payout as CSV");
  show->add_option("-o,--output", o.output, "file to write the CSV to");
  show->callback(ctx.Run([&]() -> Status {
    const std::string target = "/api/v1/rewards/rounds/" + std::to_string(o.round);
    if (o.csv) return WriteOut(o.output, QS_TRY(client.CallText("GET", target + "?format=csv")));
    ctx.Out(QS_TRY(client.Call("GET", target)), PrintRound);
    return {};
  }));
  auto* give = rewards->add_subcommand(
      "give", "spread your 100 points over others in an open round (replaces what you gave)");
  give->add_option("round", o.round, "round id")->required();
  give->add_option("points", o.gifts, "HANDLE=POINTS[:note], e.g. bob=60:\"fixed the NCCL hang\"")
      ->required();
  give->callback(ctx.Run([&]() -> Status {
    json points = json::array();
    for (const auto& text : o.gifts) {
      const Gift g = QS_TRY(ParseGift(text));
      points.push_back({{"to", g.to}, {"points", g.points}, {"note", g.note}});
    }
    ctx.Out(
        QS_TRY(client.Call("PUT", "/api/v1/rewards/rounds/" + std::to_string(o.round) + "/points",
                           {{"points", points}})),
        [](const json& r) { std::cout << "points recorded for round " << r["id"] << "\n"; });
    return {};
  }));
  auto* close = rewards->add_subcommand(
      "close", "stewards: close a round, pay out and record it in the ledger");
  close->add_option("round", o.round, "round id")->required();
  close->callback(ctx.Run([&]() -> Status {
    ctx.Out(
        QS_TRY(client.Call("POST", "/api/v1/rewards/rounds/" + std::to_string(o.round) + "/close")),
        PrintRound);
    return {};
  }));
  auto* recompute = rewards->add_subcommand(
      "recompute", "recompute a closed round's payout from a ledger export alone");
  recompute->add_option("round", o.round, "round id")->required();
  recompute->add_option("--from", o.file, "the export (JSON Lines)")->required();
  recompute->callback(ctx.RunLocal([&]() -> Status {
    std::ifstream in(o.file);
    if (!in) return NotFound("cannot read " + o.file);
    std::vector<Contribution> entries;
    const auto report = ledger::VerifyExport(
        in, std::nullopt, {}, [&](Contribution&& e) { entries.push_back(std::move(e)); });
    if (!report.ok)
      return Fail(ErrorCode::kFailedPrecondition, "the export does not verify: " + report.message);
    const Recomputed r = QS_TRY(RecomputeRound(entries, o.round));
    std::vector<std::vector<std::string>> rows;
    bool same = r.payout.size() == r.recorded.size();
    std::int64_t total = 0;
    for (std::size_t i = 0; i < r.payout.size(); ++i) {
      const auto& p = r.payout[i];
      total += p.amount_minor;
      const auto paid = i < r.recorded.size() ? r.recorded[i].amount_minor : -1;
      const bool match =
          i < r.recorded.size() && r.recorded[i].handle == p.handle && paid == p.amount_minor;
      same = same && match;
      rows.push_back({"@" + p.handle, FormatMinor(p.amount_minor),
                      paid < 0 ? "-" : FormatMinor(paid), match ? "yes" : "NO"});
    }
    std::cout << "round " << o.round << " \"" << r.settings.title << "\": pool "
              << FormatMinor(r.settings.pool_minor) << " " << r.settings.currency
              << ", recomputed from " << entries.size() << " verified entries\n";
    PrintTable(std::cout, {"MEMBER", "RECOMPUTED", "PAID", "SAME"}, rows, 40);
    std::cout << "sum " << FormatMinor(total) << " " << r.settings.currency << "\n";
    if (!same)
      return Fail(ErrorCode::kFailedPrecondition,
                  "the recomputed payout differs from what was paid");
    std::cout << "identical to the payout recorded in the ledger, to the minor unit\n";
    return {};
  }));
}

}  // namespace qiusuo::cli
