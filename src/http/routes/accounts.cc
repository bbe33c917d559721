// Accounts: sign-up, sessions (bearer tokens and browser cookies), profiles, the
// member directory, API tokens and sign-up invites.
#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {
namespace {

constexpr int kCookieSeconds = 30 * 24 * 3600;

// Secure when a TLS proxy in front says the browser came over HTTPS.
std::vector<std::pair<std::string, std::string>> SessionCookies(const std::string& token,
                                                                int max_age, bool https) {
  const std::string tail =
      "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age) + (https ? "; Secure" : "");
  return {{"Set-Cookie", std::string(kSessionCookie) + "=" + token + tail + "; HttpOnly"},
          {"Set-Cookie",
           std::string(kCsrfCookie) + "=" + (token.empty() ? "" : CsrfFor(token)) + tail}};
}

std::string Revoked(TokenId id) {
  JsonWriter w;
  w.BeginObject().Field("revoked", id.value).EndObject();
  return w.Take();
}

Result<MemberProfile> ProfileFrom(const Body& body, MemberProfile base) {
  if (body.Has("name")) base.name = QS_TRY(body.String("name", false));
  if (body.Has("emails")) base.emails = QS_TRY(body.Strings("emails"));
  if (body.Has("skills")) base.skills = QS_TRY(body.Strings("skills"));
  if (body.Has("interests")) base.interests = QS_TRY(body.Strings("interests"));
  return base;
}

}  // namespace

std::vector<Route> AccountRoutes() {
  return {
      {"POST", "/api/v1/members", false,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"handle", "password", "name", "emails",
                                                     "skills", "interests", "invite_code"}));
         SignUpRequest req;
         req.handle = QS_TRY(body.String("handle", true));
         req.password = QS_TRY(body.String("password", true));
         req.profile = QS_TRY(ProfileFrom(body, {}));
         req.invite_code = QS_TRY(body.String("invite_code", false));
         auto m = QS_TRY(lab.SignUp(std::move(req)));
         return Reply{201, ToJson(MemberView{m, true})};
       }},
      {"POST", "/api/v1/sessions", false,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"handle", "password", "cookie"}));
         const bool cookie = QS_TRY(body.Bool("cookie", false));
         auto issued = QS_TRY(lab.Login(QS_TRY(body.String("handle", true)),
                                        QS_TRY(body.String("password", true)), c.req.remote));
         JsonWriter w;
         w.BeginObject();
         // A browser session never shows its token to scripts: it is in the cookie.
         if (cookie) {
           w.Field("csrf", CsrfFor(issued.token));
         } else {
           w.Field("token", issued.token);
         }
         w.Field("token_id", issued.id.value).Key("member");
         Write(w, MemberView{issued.member, true});
         w.EndObject();
         Reply reply{201, w.Take()};
         if (cookie) reply.headers = SessionCookies(issued.token, kCookieSeconds, c.req.https);
         return reply;
       }},
      {"DELETE", "/api/v1/sessions/current", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         QS_TRY_STATUS(lab.RevokeToken(c.caller, c.caller.token));
         Reply reply{200, Revoked(c.caller.token)};
         reply.headers = SessionCookies("", 0, c.req.https);  // the browser forgets its cookies
         return reply;
       }},
      {"GET", "/api/v1/me", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         return Reply{200,
                      ToJson(MemberView{QS_TRY(lab.GetMember(c.caller, c.caller.handle)), true})};
       }},
      {"PATCH", "/api/v1/me", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"name", "emails", "skills", "interests"}));
         const Member me = QS_TRY(lab.GetMember(c.caller, c.caller.handle));
         auto profile = QS_TRY(ProfileFrom(body, {me.name, me.emails, me.skills, me.interests}));
         return Reply{200, ToJson(MemberView{QS_TRY(lab.UpdateProfile(c.caller, profile)), true})};
       }},
      {"GET", "/api/v1/members", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto listing = QS_TRY(lab.ListMembers(c.caller, QS_TRY(PageParams(c.req))));
         return Reply{
             200, ListJson(listing.items, listing.next_before, [&](JsonWriter& w, const Member& m) {
               Write(w, MemberView{m, m.id == c.caller.id});
             })};
       }},
      {"GET", "/api/v1/members/{handle}", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto m = QS_TRY(lab.GetMember(c.caller, c.params[0]));
         return Reply{200, ToJson(MemberView{m, m.id == c.caller.id})};
       }},
      {"GET", "/api/v1/tokens", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         const auto listing = QS_TRY(lab.ListTokensPage(c.caller, QS_TRY(PageParams(c.req))));
         const auto& tokens = listing.items;
         const auto next = listing.next_before;
         return Reply{200, ListJson(tokens, next, [&](JsonWriter& w, const TokenRecord& t) {
                        w.BeginObject()
                            .Field("id", t.id.value)
                            .Field("name", t.name)
                            .Field("created_at", Time(t.created_at))
                            .Key("revoked_at");
                        if (t.revoked_at)
                          w.String(Time(*t.revoked_at));
                        else
                          w.Null();
                        w.Field("current", t.id == c.caller.token).EndObject();
                      })};
       }},
      {"POST", "/api/v1/tokens", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"name"}));
         auto issued = QS_TRY(lab.CreateToken(c.caller, QS_TRY(body.String("name", false))));
         JsonWriter w;
         w.BeginObject()
             .Field("token", issued.token)
             .Field("token_id", issued.id.value)
             .EndObject();
         return Reply{201, w.Take()};
       }},
      {"DELETE", "/api/v1/tokens/{id}", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         const TokenId id(QS_TRY(IdParam(c.params[0], "token")));
         QS_TRY_STATUS(lab.RevokeToken(c.caller, id));
         return Reply{200, Revoked(id)};
       }},
      {"POST", "/api/v1/signup-invites", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         QS_TRY(Body::Parse(c.req.body, {}));
         const std::string code = QS_TRY(lab.CreateSignupInvite(c.caller));
         JsonWriter w;
         w.BeginObject().Field("invite_code", code).EndObject();
         return Reply{201, w.Take()};
       }},
  };
}

}  // namespace qiusuo::http
