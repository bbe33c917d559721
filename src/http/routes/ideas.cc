// Ideas: post, list and search, read, edit (the author only), back.
#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {
namespace {

Result<Reply> Backing(Lab& lab, const Ctx& c, bool back) {
  QS_TRY(Body::Parse(c.req.body, {}));
  auto i = QS_TRY(lab.BackIdea(c.caller, IdeaId(QS_TRY(IdParam(c.params[0], "idea"))), back));
  return Reply{200, ToJson(i)};
}

}  // namespace

std::vector<Route> IdeaRoutes() {
  return {
      {"GET", "/api/v1/ideas", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         const auto q = c.req.query.find("q");
         auto listing = QS_TRY(lab.ListIdeas(c.caller, q == c.req.query.end() ? "" : q->second,
                                             QS_TRY(PageParams(c.req))));
         return Reply{200, ListJson(listing)};
       }},
      {"POST", "/api/v1/ideas", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"title", "pitch"}));
         auto idea = QS_TRY(lab.PostIdea(c.caller, QS_TRY(body.String("title", true)),
                                         QS_TRY(body.String("pitch", false))));
         return Reply{201, ToJson(idea)};
       }},
      {"GET", "/api/v1/ideas/{id}", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         return Reply{
             200,
             ToJson(QS_TRY(lab.GetIdea(c.caller, IdeaId(QS_TRY(IdParam(c.params[0], "idea"))))))};
       }},
      {"PATCH", "/api/v1/ideas/{id}", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         const IdeaId id(QS_TRY(IdParam(c.params[0], "idea")));
         auto body = QS_TRY(Body::Parse(c.req.body, {"title", "pitch"}));
         std::optional<std::string> title, pitch;
         if (body.Has("title")) title = QS_TRY(body.String("title", true));
         if (body.Has("pitch")) pitch = QS_TRY(body.String("pitch", false));
         return Reply{200, ToJson(QS_TRY(lab.EditIdea(c.caller, id, title, pitch)))};
       }},
      {"PUT", "/api/v1/ideas/{id}/backing", true,
       [](Lab& lab, const Ctx& c) { return Backing(lab, c, true); }},
      {"DELETE", "/api/v1/ideas/{id}/backing", true,
       [](Lab& lab, const Ctx& c) { return Backing(lab, c, false); }},
  };
}

}  // namespace qiusuo::http
