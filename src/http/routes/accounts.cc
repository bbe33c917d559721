// Accounts: sign-up, sessions (bearer tokens and browser cookies), profiles, the
// member directory, API tokens and sign-up invites.
#include <spdlog/spdlog.h>

#include "http/body.h"
#include "http/route.h"
#include "http/views.h"

namespace qiusuo::http {
namespace {

constexpr int kClientCookieSeconds = 400 * 24 * 3600;  // the longest browsers keep

// Secure when a TLS proxy in front says the browser came over HTTPS.
std::vector<std::pair<std::string, std::string>> SessionCookies(const std::string& token,
                                                                int max_age, bool https) {
  const std::string tail =
      "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age) + (https ? "; Secure" : "");
  return {{"Set-Cookie", std::string(kSessionCookie) + "=" + token + tail + "; HttpOnly"},
          {"Set-Cookie",
           std::string(kCsrfCookie) + "=" + (token.empty() ? "" : CsrfFor(token)) + tail}};
}

// The browser's known-client secret: sent only to the sign-in route, never to scripts.
std::pair<std::string, std::string> ClientCookie(const std::string& client, bool https) {
  return {"Set-Cookie", std::string(kClientCookie) + "=" + client +
                            "; Path=/api/v1/sessions; SameSite=Strict; HttpOnly; Max-Age=" +
                            std::to_string(kClientCookieSeconds) + (https ? "; Secure" : "")};
}

void WriteToken(JsonWriter& w, const Lab& lab, const TokenRecord& t, const Caller& caller) {
  w.BeginObject()
      .Field("id", t.id.value)
      .Field("name", t.name)
      .Field("created_at", Time(t.created_at))
      .Key("revoked_at");
  if (t.revoked_at)
    w.String(Time(*t.revoked_at));
  else
    w.Null();
  w.Field("current", t.id == caller.token)
      .Field("session", t.session)
      .Field("last_used_at", Time(t.last_used_at));
  WriteOptTime(w, "expires_at", lab.ExpiresAt(t));
  w.EndObject();
}

std::string Count(std::string_view key, std::int64_t n) {
  JsonWriter w;
  w.BeginObject().Field(key, n).EndObject();
  return w.Take();
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
         req.remote = c.req.remote;
         auto m = QS_TRY(lab.SignUp(std::move(req)));
         return Reply{201, ToJson(MemberView{m, true})};
       },
       true},
      {"POST", "/api/v1/sessions", false,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"handle", "password", "cookie", "client"}));
         const bool cookie = QS_TRY(body.Bool("cookie", false));
         // The known-client secret of an earlier sign-in: the browser's cookie, or the
         // CLI's saved value.
         std::string client = QS_TRY(body.String("client", false));
         if (client.empty()) client = CookieValue(c.req.cookie, kClientCookie);
         auto issued =
             QS_TRY(lab.Login(QS_TRY(body.String("handle", true)),
                              QS_TRY(body.String("password", true)), c.req.remote, client));
         JsonWriter w;
         w.BeginObject();
         // A browser session never shows its token to scripts: it is in the cookie.
         if (cookie) {
           w.Field("csrf", CsrfFor(issued.token));
         } else {
           w.Field("token", issued.token).Field("client", issued.client);
         }
         w.Field("token_id", issued.id.value).Key("member");
         Write(w, MemberView{issued.member, true});
         w.EndObject();
         Reply reply{201, w.Take()};
         if (cookie) {
           reply.headers =
               SessionCookies(issued.token, lab.config().session_max_age_s, c.req.https);
           reply.headers.push_back(ClientCookie(issued.client, c.req.https));
         }
         return reply;
       },
       true},
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
         return Reply{200, ListJson(listing.items, listing.next_before,
                                    [&](JsonWriter& w, const TokenRecord& t) {
                                      WriteToken(w, lab, t, c.caller);
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
      {"POST", "/api/v1/me/password", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"current_password", "new_password"}));
         const std::int64_t ended =
             QS_TRY(lab.ChangePassword(c.caller, QS_TRY(body.String("current_password", true)),
                                       QS_TRY(body.String("new_password", true)), c.req.remote));
         spdlog::info("audit: @{} changed their password from {}, ending {} other session(s)",
                      c.caller.handle, c.req.remote, ended);
         return Reply{200, Count("ended_sessions", ended)};
       },
       true},
      {"POST", "/api/v1/password-resets", false,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"handle"}));
         const std::string handle = QS_TRY(body.String("handle", true));
         QS_TRY_STATUS(lab.RequestPasswordReset(handle, c.req.remote));
         JsonWriter w;
         w.BeginObject().Field("handle", handle).Field("mailed_if_proven", true).EndObject();
         return Reply{202, w.Take()};
       }},
      {"POST", "/api/v1/password-resets/use", false,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         auto body = QS_TRY(Body::Parse(c.req.body, {"handle", "code", "new_password"}));
         const std::string handle = QS_TRY(body.String("handle", true));
         auto m =
             QS_TRY(lab.ResetPassword(handle, QS_TRY(body.String("code", true)),
                                      QS_TRY(body.String("new_password", true)), c.req.remote));
         spdlog::info(
             "audit: @{} set a new password with a reset code from {}; every session "
             "ended",
             handle, c.req.remote);
         return Reply{200, ToJson(MemberView{m, true})};
       },
       true},
      {"POST", "/api/v1/members/{handle}/password-reset", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         QS_TRY(Body::Parse(c.req.body, {}));
         auto issued = QS_TRY(lab.IssuePasswordReset(c.caller, c.params[0]));
         spdlog::info("audit: steward @{} issued a password reset code for @{}", c.caller.handle,
                      issued.handle);
         JsonWriter w;
         w.BeginObject()
             .Field("handle", issued.handle)
             .Field("code", issued.code)
             .Field("expires_at", Time(issued.expires_at))
             .EndObject();
         return Reply{201, w.Take()};
       }},
      {"GET", "/api/v1/members/{handle}/sessions", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         const auto tokens = QS_TRY(lab.ListSessions(c.caller, c.params[0]));
         return Reply{200, ListJson(tokens, std::nullopt, [&](JsonWriter& w, const TokenRecord& t) {
                        WriteToken(w, lab, t, c.caller);
                      })};
       }},
      {"DELETE", "/api/v1/members/{handle}/sessions", true,
       [](Lab& lab, const Ctx& c) -> Result<Reply> {
         const std::int64_t ended = QS_TRY(lab.EndSessions(c.caller, c.params[0]));
         spdlog::info("audit: @{} ended {} session(s) and token(s) of @{}", c.caller.handle, ended,
                      c.params[0]);
         return Reply{200, Count("ended", ended)};
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
