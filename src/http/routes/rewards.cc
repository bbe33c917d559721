// Reward rounds: open, list, read (JSON or CSV), give points, close.
#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {

std::vector<Route> RewardRoutes() {
  return {
      {"POST", "/api/v1/rewards/rounds", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Rewards* rewards = QS_TRY(NeedRewards(c));
         auto body =
             QS_TRY(Body::Parse(c.req.body, {"title", "pool_minor", "currency", "period_from",
                                             "period_to", "alpha", "weights", "cap_per_kind"}));
         OpenRoundRequest r;
         r.title = QS_TRY(body.String("title", true));
         r.pool_minor = QS_TRY(body.OptInt("pool_minor", 0, Body::kMaxCount)).value_or(0);
         r.currency = QS_TRY(body.String("currency", true));
         r.period_from = QS_TRY(body.OptInt("period_from", 0, Body::kMaxUnixSeconds)).value_or(0);
         r.period_to = QS_TRY(body.OptInt("period_to", 0, Body::kMaxUnixSeconds)).value_or(0);
         if (body.Has("alpha")) r.alpha = QS_TRY(body.Number("alpha", 0, 1));
         if (auto cap = QS_TRY(body.OptInt("cap_per_kind", 0, Body::kMaxCount)))
           r.cap_per_kind = *cap;
         // {"review": {"per_entry": 2, "per_unit": 0.1}, ...}: kinds not named keep
         // their defaults.
         for (const auto& [kind, w] :
              QS_TRY(body.ObjectMap("weights", {"per_entry", "per_unit"}))) {
           r.weights[kind] = {QS_TRY(w.Number("per_entry", -1e9, 1e9)),
                              w.Has("per_unit") ? QS_TRY(w.Number("per_unit", -1e9, 1e9)) : 0.0};
         }
         const RewardRound round = QS_TRY(rewards->OpenRound(c.caller, r));
         return Reply{201, RoundJson({round, {}, {}})};
       }},
      {"GET", "/api/v1/rewards/rounds", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Rewards* rewards = QS_TRY(NeedRewards(c));
         const auto rounds = QS_TRY(rewards->Rounds(c.caller));
         std::string out = "{\"items\":[";
         for (std::size_t i = 0; i < rounds.size(); ++i)
           out += (i ? "," : "") + RoundJson({rounds[i], {}, {}});
         return Reply{200, out + "],\"next_cursor\":null}"};
       }},
      {"GET", "/api/v1/rewards/rounds/{id}", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Rewards* rewards = QS_TRY(NeedRewards(c));
         const RoundView v =
             QS_TRY(rewards->Round(c.caller, QS_TRY(IdParam(c.params[0], "round"))));
         auto format = c.req.query.find("format");
         if (format != c.req.query.end() && format->second == "csv")
           return Reply{200, PayoutCsv(v), "text/csv; charset=utf-8"};
         return Reply{200, RoundJson(v)};
       }},
      {"PUT", "/api/v1/rewards/rounds/{id}/points", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Rewards* rewards = QS_TRY(NeedRewards(c));
         const std::int64_t id = QS_TRY(IdParam(c.params[0], "round"));
         auto body = QS_TRY(Body::Parse(c.req.body, {"points"}));
         // {"points": [{"to": "bob", "points": 40, "note": "fixed the NCCL hang"}, ...]}
         std::vector<PointsGiven> points;
         for (const Body& p : QS_TRY(body.ObjectList("points", {"to", "points", "note"}))) {
           const auto n = QS_TRY(p.OptInt("points", -1'000'000'000, 1'000'000'000));
           if (!n)
             return InvalidArgument("points", "each entry of points needs points, a whole number");
           points.push_back({QS_TRY(p.String("to", true)), *n, QS_TRY(p.String("note", false))});
         }
         QS_TRY_STATUS(rewards->GivePoints(c.caller, id, points));
         return Reply{200, RoundJson(QS_TRY(rewards->Round(c.caller, id)))};
       }},
      {"POST", "/api/v1/rewards/rounds/{id}/close", true,
       [](Lab&, const Ctx& c) -> Result<Reply> {
         Rewards* rewards = QS_TRY(NeedRewards(c));
         const RoundView v =
             QS_TRY(rewards->CloseRound(c.caller, QS_TRY(IdParam(c.params[0], "round"))));
         return Reply{200, RoundJson(v)};
       }},
  };
}

}  // namespace qiusuo::http
