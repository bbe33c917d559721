// Reward rounds: open, list, read (JSON or CSV), give points, close.
#include <charconv>
#include <cmath>
#include <exception>

#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {

std::vector<Route> RewardRoutes() {
  return {
      {"POST", "/api/v1/rewards/rounds", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Ledger* ledger = QS_TRY(NeedLedger(c));
         auto body =
             QS_TRY(Body::Parse(c.req.body, {"title", "pool_minor", "currency", "period_from",
                                             "period_to", "alpha", "weights"}));
         RewardSettings s;
         s.title = QS_TRY(body.String("title", true));
         s.pool_minor = QS_TRY(body.OptInt("pool_minor")).value_or(0);
         s.currency = QS_TRY(body.String("currency", true));
         s.period_from = QS_TRY(body.OptInt("period_from")).value_or(0);
         s.period_to = QS_TRY(body.OptInt("period_to")).value_or(0);
         if (body.Has("alpha"))
           s.alpha_milli =
               static_cast<std::int64_t>(std::llround(QS_TRY(body.Number("alpha")) * 1000));
         for (const auto& [kind, text] : QS_TRY(body.StringMap("weights"))) {
           // "per_entry[,per_unit]", e.g. "3" or "1,0.5". Domain parsing in a route, and
           // numbers sent as strings: to become JSON numbers in a typed service request (issue 12).
           const auto comma = text.find(',');
           try {
             s.weights[kind] = {
                 static_cast<std::int64_t>(std::llround(std::stod(text.substr(0, comma)) * 1000)),
                 comma == std::string::npos ? 0
                                            : static_cast<std::int64_t>(std::llround(
                                                  std::stod(text.substr(comma + 1)) * 1000))};
           } catch (const std::exception&) {
             return InvalidArgument(
                 "weights", "weights." + kind + " is \"per entry[,per unit]\", like \"1,0.5\"");
           }
         }
         if (!s.weights.empty()) {
           RewardWeights all = DefaultRewardWeights();
           for (auto& [k, w] : s.weights) all[k] = w;
           s.weights = std::move(all);
         }
         const RewardRound r = QS_TRY(ledger->OpenRound(c.caller, s));
         return Reply{201, RoundJson({r, {}, {}})};
       }},
      {"GET", "/api/v1/rewards/rounds", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Ledger* ledger = QS_TRY(NeedLedger(c));
         const auto rounds = QS_TRY(ledger->Rounds(c.caller));
         std::string out = "{\"items\":[";
         for (std::size_t i = 0; i < rounds.size(); ++i)
           out += (i ? "," : "") + RoundJson({rounds[i], {}, {}});
         return Reply{200, out + "],\"next_cursor\":null}"};
       }},
      {"GET", "/api/v1/rewards/rounds/{id}", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Ledger* ledger = QS_TRY(NeedLedger(c));
         const RoundView v = QS_TRY(ledger->Round(c.caller, QS_TRY(IdParam(c.params[0], "round"))));
         auto format = c.req.query.find("format");
         if (format != c.req.query.end() && format->second == "csv")
           return Reply{200, PayoutCsv(v), "text/csv; charset=utf-8"};
         return Reply{200, RoundJson(v)};
       }},
      {"PUT", "/api/v1/rewards/rounds/{id}/points", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Ledger* ledger = QS_TRY(NeedLedger(c));
         const std::int64_t id = QS_TRY(IdParam(c.params[0], "round"));
         auto body = QS_TRY(Body::Parse(c.req.body, {"points"}));
         // {"points": {"bob": "40", "lin": "60 debugging help"}}: points, then an optional note.
         // Domain parsing in a route, and numbers sent as strings: to become JSON numbers in
         // a typed service request (issue 12).
         std::vector<std::tuple<std::string, std::int64_t, std::string>> points;
         for (const auto& [handle, text] : QS_TRY(body.StringMap("points"))) {
           const auto space = text.find(' ');
           std::int64_t n = 0;
           const std::string number = text.substr(0, space);
           const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
           if (ec != std::errc() || ptr != number.data() + number.size())
             return InvalidArgument("points",
                                    "points.@" + handle + " starts with a whole number of points");
           points.emplace_back(handle, n, space == std::string::npos ? "" : text.substr(space + 1));
         }
         QS_TRY_STATUS(ledger->GivePoints(c.caller, id, points));
         const RoundView v = QS_TRY(ledger->Round(c.caller, id));
         return Reply{200, RoundJson(v)};
       }},
      {"POST", "/api/v1/rewards/rounds/{id}/close", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Ledger* ledger = QS_TRY(NeedLedger(c));
         const RoundView v =
             QS_TRY(ledger->CloseRound(c.caller, QS_TRY(IdParam(c.params[0], "round"))));
         return Reply{200, RoundJson(v)};
       }},
  };
}

}  // namespace qiusuo::http
