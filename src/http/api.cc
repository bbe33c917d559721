#include "http/api.h"

#include <charconv>
#include <nlohmann/json.hpp>
#include <span>

#include "common/embedded.h"

namespace qiusuo::embedded {
std::span<const EmbeddedFile> OpenApiFiles();
}

namespace qiusuo::http {

namespace {

using json = nlohmann::json;

// ---- request bodies ----------------------------------------------------------

// A JSON object body with a fixed set of allowed fields; every accessor names the
// field in its error.
class Body {
 public:
  static Result<Body> Parse(const std::string& text, std::initializer_list<std::string_view> allowed) {
    json doc = text.empty() ? json::object() : json::parse(text, nullptr, false);
    if (doc.is_discarded()) {
      return Fail(ErrorCode::kMalformed,
                  "the request body is not valid JSON; send an object like {\"title\": \"...\"}");
    }
    if (!doc.is_object()) return InvalidArgument("", "the request body must be a JSON object");
    for (const auto& [key, value] : doc.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string names;
        for (auto a : allowed) names += (names.empty() ? "" : ", ") + std::string(a);
        return InvalidArgument(key, "unknown field '" + key + "'; this request takes: " +
                                        (names.empty() ? "no fields" : names));
      }
    }
    return Body(std::move(doc));
  }

  Result<std::string> String(const std::string& key, bool required) const {
    if (!doc_.contains(key) || doc_[key].is_null()) {
      if (required) return InvalidArgument(key, key + " is required");
      return std::string();
    }
    if (!doc_[key].is_string()) return InvalidArgument(key, key + " must be a string");
    return doc_[key].get<std::string>();
  }

  Result<std::vector<std::string>> Strings(const std::string& key) const {
    std::vector<std::string> out;
    if (!doc_.contains(key) || doc_[key].is_null()) return out;
    if (!doc_[key].is_array()) return InvalidArgument(key, key + " must be an array of strings");
    for (const auto& item : doc_[key]) {
      if (!item.is_string()) return InvalidArgument(key, key + " must be an array of strings");
      out.push_back(item.get<std::string>());
    }
    return out;
  }

  Result<std::optional<std::int64_t>> OptInt(const std::string& key) const {
    if (!doc_.contains(key) || doc_[key].is_null()) return std::optional<std::int64_t>();
    if (!doc_[key].is_number_integer()) return InvalidArgument(key, key + " must be an integer");
    return std::optional<std::int64_t>(doc_[key].get<std::int64_t>());
  }

  bool Has(const std::string& key) const { return doc_.contains(key); }

 private:
  explicit Body(json doc) : doc_(std::move(doc)) {}
  json doc_;
};

// ---- JSON views of the records ------------------------------------------------

json Time(UnixSeconds t) { return FormatRfc3339(t); }

json MemberJson(const Member& m, bool with_private) {
  json j = {{"handle", m.handle},       {"name", m.name},         {"skills", m.skills},
            {"interests", m.interests}, {"steward", m.steward},   {"joined_at", Time(m.joined_at)}};
  if (with_private) j["emails"] = m.emails;
  return j;
}

json IdeaJson(const Idea& i) {
  return {{"id", i.id.value},          {"title", i.title},
          {"pitch", i.pitch},          {"author", i.author_handle},
          {"backers", i.backers},      {"backer_count", i.backers.size()},
          {"created_at", Time(i.created_at)}};
}

json ProjectJson(const ProjectView& v) {
  const Project& p = v.project;
  json members = json::array();
  json memberships = json::array();
  for (const auto& m : v.memberships) {
    if (m.state == MembershipState::kActive) members.push_back(m.handle);
    memberships.push_back({{"handle", m.handle},
                           {"state", MembershipStateName(m.state)},
                           {"message", m.message},
                           {"updated_at", Time(m.updated_at)}});
  }
  return {{"id", p.id.value},
          {"title", p.title},
          {"pitch", p.pitch},
          {"idea_id", p.idea ? json(p.idea->value) : json(nullptr)},
          {"initiator", p.initiator_handle},
          {"looking_for", p.looking_for},
          {"members", members},
          {"memberships", memberships},
          {"backers", p.backers},
          {"created_at", Time(p.created_at)}};
}

json MembershipJson(const Membership& m) {
  return {{"project_id", m.project.value},
          {"handle", m.handle},
          {"state", MembershipStateName(m.state)},
          {"message", m.message},
          {"updated_at", Time(m.updated_at)}};
}

json TaskJson(const Task& t) {
  return {{"id", t.id.value},
          {"project_id", t.project.value},
          {"title", t.title},
          {"description", t.description},
          {"state", TaskStateName(t.state)},
          {"holder", t.holder ? json(t.holder_handle) : json(nullptr)},
          {"created_at", Time(t.created_at)},
          {"updated_at", Time(t.updated_at)}};
}

json TokenJson(const TokenRecord& t) {
  return {{"id", t.id.value},
          {"name", t.name},
          {"created_at", Time(t.created_at)},
          {"revoked_at", t.revoked_at ? Time(*t.revoked_at) : json(nullptr)}};
}

template <typename T, typename F>
json ListingJson(const Listing<T>& listing, F to_json) {
  json items = json::array();
  for (const auto& item : listing.items) items.push_back(to_json(item));
  return {{"items", items},
          {"next_cursor",
           listing.next_before ? json(std::to_string(*listing.next_before)) : json(nullptr)}};
}

// ---- routing -----------------------------------------------------------------

struct Reply {
  int status = 200;
  json body;
};

struct Ctx {
  const Request& req;
  Caller caller;
  std::vector<std::string> params;  // the {…} segments of the route, in order
};

using RouteFn = Result<Reply> (*)(Lab&, const Ctx&);

struct Route {
  std::string_view method;
  std::string_view pattern;
  bool needs_auth;
  RouteFn fn;
};

Result<std::int64_t> IdParam(const std::string& text, const char* what) {
  std::int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size() || v <= 0) {
    return NotFound(std::string("there is no ") + what + " '" + text.substr(0, 40) + "'");
  }
  return v;
}

Result<Page> PageParams(const Request& req) {
  Page page;
  if (auto it = req.query.find("limit"); it != req.query.end()) {
    int v = 0;
    const auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || ptr != it->second.data() + it->second.size() || v < 1 || v > 200) {
      return InvalidArgument("limit", "limit is a whole number from 1 to 200");
    }
    page.limit = v;
  }
  if (auto it = req.query.find("cursor"); it != req.query.end() && !it->second.empty()) {
    std::int64_t v = 0;
    const auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || ptr != it->second.data() + it->second.size() || v < 0) {
      return InvalidArgument("cursor", "cursor must be a next_cursor value from a previous page");
    }
    page.before = v;
  }
  return page;
}

Result<Reply> MembershipAct(Lab& lab, const Ctx& c, qiusuo::MembershipAct act) {
  const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
  auto body = QS_TRY(Body::Parse(c.req.body, {"message"}));
  const std::string message = QS_TRY(body.String("message", false));
  auto m = QS_TRY(lab.ActOnMembership(c.caller, pid, act, c.params.size() > 1 ? c.params[1] : "",
                                      message));
  return Reply{200, MembershipJson(m)};
}

Result<Reply> TaskAct(Lab& lab, const Ctx& c, qiusuo::TaskAct act) {
  QS_TRY(Body::Parse(c.req.body, {}));
  auto t = QS_TRY(lab.ActOnTask(c.caller, TaskId(QS_TRY(IdParam(c.params[0], "task"))), act));
  return Reply{200, TaskJson(t)};
}

Result<Reply> Backing(Lab& lab, const Ctx& c, bool project, bool back) {
  QS_TRY(Body::Parse(c.req.body, {}));
  if (project) {
    auto v = QS_TRY(lab.BackProject(c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project"))), back));
    return Reply{200, ProjectJson(v)};
  }
  auto i = QS_TRY(lab.BackIdea(c.caller, IdeaId(QS_TRY(IdParam(c.params[0], "idea"))), back));
  return Reply{200, IdeaJson(i)};
}

Result<MemberProfile> ProfileFrom(const Body& body, MemberProfile base) {
  if (body.Has("name")) base.name = QS_TRY(body.String("name", false));
  if (body.Has("emails")) base.emails = QS_TRY(body.Strings("emails"));
  if (body.Has("skills")) base.skills = QS_TRY(body.Strings("skills"));
  if (body.Has("interests")) base.interests = QS_TRY(body.Strings("interests"));
  return base;
}

const Route kRoutes[] = {
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
       return Reply{201, MemberJson(m, true)};
     }},
    {"POST", "/api/v1/sessions", false,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"handle", "password"}));
       auto issued = QS_TRY(lab.Login(QS_TRY(body.String("handle", true)),
                                      QS_TRY(body.String("password", true)), c.req.remote));
       return Reply{201, {{"token", issued.token}, {"token_id", issued.id.value},
                          {"member", MemberJson(issued.member, true)}}};
     }},
    {"DELETE", "/api/v1/sessions/current", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       QS_TRY_STATUS(lab.RevokeToken(c.caller, c.caller.token));
       return Reply{200, {{"revoked", c.caller.token.value}}};
     }},
    {"GET", "/api/v1/me", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       return Reply{200, MemberJson(QS_TRY(lab.GetMember(c.caller, c.caller.handle)), true)};
     }},
    {"PATCH", "/api/v1/me", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"name", "emails", "skills", "interests"}));
       const Member me = QS_TRY(lab.GetMember(c.caller, c.caller.handle));
       auto profile = QS_TRY(ProfileFrom(body, {me.name, me.emails, me.skills, me.interests}));
       return Reply{200, MemberJson(QS_TRY(lab.UpdateProfile(c.caller, profile)), true)};
     }},
    {"GET", "/api/v1/members", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto listing = QS_TRY(lab.ListMembers(c.caller, QS_TRY(PageParams(c.req))));
       return Reply{200, ListingJson(listing, [&](const Member& m) {
                      return MemberJson(m, m.id == c.caller.id);
                    })};
     }},
    {"GET", "/api/v1/members/{handle}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto m = QS_TRY(lab.GetMember(c.caller, c.params[0]));
       return Reply{200, MemberJson(m, m.id == c.caller.id)};
     }},
    {"GET", "/api/v1/tokens", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       json items = json::array();
       for (const auto& t : QS_TRY(lab.ListTokens(c.caller))) {
         json j = TokenJson(t);
         j["current"] = t.id == c.caller.token;
         items.push_back(j);
       }
       return Reply{200, {{"items", items}, {"next_cursor", nullptr}}};
     }},
    {"POST", "/api/v1/tokens", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"name"}));
       auto issued = QS_TRY(lab.CreateToken(c.caller, QS_TRY(body.String("name", false))));
       return Reply{201, {{"token", issued.token}, {"token_id", issued.id.value}}};
     }},
    {"DELETE", "/api/v1/tokens/{id}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       const TokenId id(QS_TRY(IdParam(c.params[0], "token")));
       QS_TRY_STATUS(lab.RevokeToken(c.caller, id));
       return Reply{200, {{"revoked", id.value}}};
     }},
    {"POST", "/api/v1/signup-invites", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       QS_TRY(Body::Parse(c.req.body, {}));
       return Reply{201, {{"invite_code", QS_TRY(lab.CreateSignupInvite(c.caller))}}};
     }},
    {"GET", "/api/v1/ideas", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       const auto q = c.req.query.find("q");
       auto listing = QS_TRY(lab.ListIdeas(c.caller, q == c.req.query.end() ? "" : q->second,
                                           QS_TRY(PageParams(c.req))));
       return Reply{200, ListingJson(listing, IdeaJson)};
     }},
    {"POST", "/api/v1/ideas", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"title", "pitch"}));
       auto idea = QS_TRY(lab.PostIdea(c.caller, QS_TRY(body.String("title", true)),
                                       QS_TRY(body.String("pitch", false))));
       return Reply{201, IdeaJson(idea)};
     }},
    {"GET", "/api/v1/ideas/{id}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       return Reply{200, IdeaJson(QS_TRY(lab.GetIdea(c.caller, IdeaId(QS_TRY(IdParam(c.params[0], "idea"))))))};
     }},
    {"PUT", "/api/v1/ideas/{id}/backing", true,
     [](Lab& lab, const Ctx& c) { return Backing(lab, c, false, true); }},
    {"DELETE", "/api/v1/ideas/{id}/backing", true,
     [](Lab& lab, const Ctx& c) { return Backing(lab, c, false, false); }},
    {"GET", "/api/v1/projects", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto listing = QS_TRY(lab.ListProjects(c.caller, QS_TRY(PageParams(c.req))));
       return Reply{200, ListingJson(listing, ProjectJson)};
     }},
    {"POST", "/api/v1/projects", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"title", "pitch", "idea_id", "looking_for"}));
       StartProjectRequest req;
       req.title = QS_TRY(body.String("title", false));
       req.pitch = QS_TRY(body.String("pitch", false));
       if (auto idea = QS_TRY(body.OptInt("idea_id"))) req.idea = IdeaId(*idea);
       else if (req.title.empty()) return InvalidArgument("title", "title is required (or start from an idea with idea_id)");
       req.looking_for = QS_TRY(body.Strings("looking_for"));
       return Reply{201, ProjectJson(QS_TRY(lab.StartProject(c.caller, std::move(req))))};
     }},
    {"GET", "/api/v1/projects/{id}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       return Reply{200, ProjectJson(QS_TRY(lab.GetProject(c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project"))))))};
     }},
    {"PATCH", "/api/v1/projects/{id}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"looking_for"}));
       const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
       return Reply{200, ProjectJson(QS_TRY(lab.SetLookingFor(c.caller, pid, QS_TRY(body.Strings("looking_for")))))};
     }},
    {"PUT", "/api/v1/projects/{id}/backing", true,
     [](Lab& lab, const Ctx& c) { return Backing(lab, c, true, true); }},
    {"DELETE", "/api/v1/projects/{id}/backing", true,
     [](Lab& lab, const Ctx& c) { return Backing(lab, c, true, false); }},
    {"POST", "/api/v1/projects/{id}/apply", true,
     [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kApply); }},
    {"POST", "/api/v1/projects/{id}/leave", true,
     [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kLeave); }},
    {"POST", "/api/v1/projects/{id}/invitations/{handle}", true,
     [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kInvite); }},
    {"POST", "/api/v1/projects/{id}/memberships/{handle}/accept", true,
     [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kAccept); }},
    {"POST", "/api/v1/projects/{id}/memberships/{handle}/decline", true,
     [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kDecline); }},
    {"POST", "/api/v1/projects/{id}/memberships/{handle}/withdraw", true,
     [](Lab& lab, const Ctx& c) { return MembershipAct(lab, c, MembershipAct::kWithdraw); }},
    {"GET", "/api/v1/projects/{id}/tasks", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       json items = json::array();
       for (const auto& t : QS_TRY(lab.ListTasks(c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project")))))) {
         items.push_back(TaskJson(t));
       }
       return Reply{200, {{"items", items}, {"next_cursor", nullptr}}};
     }},
    {"POST", "/api/v1/projects/{id}/tasks", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"title", "description"}));
       const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
       auto t = QS_TRY(lab.AddTask(c.caller, pid, QS_TRY(body.String("title", true)),
                                   QS_TRY(body.String("description", false))));
       return Reply{201, TaskJson(t)};
     }},
    {"POST", "/api/v1/tasks/{id}/claim", true,
     [](Lab& lab, const Ctx& c) { return TaskAct(lab, c, TaskAct::kClaim); }},
    {"POST", "/api/v1/tasks/{id}/unclaim", true,
     [](Lab& lab, const Ctx& c) { return TaskAct(lab, c, TaskAct::kUnclaim); }},
    {"POST", "/api/v1/tasks/{id}/done", true,
     [](Lab& lab, const Ctx& c) { return TaskAct(lab, c, TaskAct::kDone); }},
};

// Matches `path` against `pattern`, collecting {…} segments.
bool Match(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  params.clear();
  while (!pattern.empty() && !path.empty()) {
    if (pattern[0] != '/' || path[0] != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pe = pattern.find('/');
    const auto se = path.find('/');
    const std::string_view pseg = pattern.substr(0, pe), seg = path.substr(0, se);
    if (pseg.starts_with('{')) {
      if (seg.empty()) return false;
      params.emplace_back(seg);
    } else if (pseg != seg) {
      return false;
    }
    pattern.remove_prefix(pseg.size());
    path.remove_prefix(seg.size());
  }
  return pattern.empty() && path.empty();
}

Response JsonResponse(int status, const json& body) {
  return {status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

Response ErrorResponse(const Error& e) {
  Response r = JsonResponse(HttpStatusFor(e.code),
                            {{"error", {{"code", ErrorCodeName(e.code)},
                                        {"message", e.message},
                                        {"field", e.field}}}});
  if (e.code == ErrorCode::kUnauthenticated) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace

Api::Api(Lab& lab) : lab_(lab) {}

std::vector<RouteInfo> Api::Routes() {
  std::vector<RouteInfo> out;
  for (const auto& r : kRoutes) out.push_back({std::string(r.method), std::string(r.pattern), r.needs_auth});
  return out;
}

std::string_view OpenApiDocument() { return embedded::OpenApiFiles()[0].content; }

Response Api::Handle(const Request& req) {
  if (req.path == "/healthz") return {200, "text/plain", "ok\n", {}};
  if (req.path == "/api/v1/openapi.json" && req.method == "GET") {
    return {200, "application/json", std::string(OpenApiDocument()), {}};
  }
  std::vector<std::string> params;
  std::string allowed;
  for (const auto& route : kRoutes) {
    if (!Match(route.pattern, req.path, params)) continue;
    if (route.method != req.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
      continue;
    }
    Ctx ctx{req, {}, params};
    if (route.needs_auth) {
      std::string_view auth = req.authorization;
      std::string_view token;
      if (auth.starts_with("Bearer ")) token = auth.substr(7);
      auto caller = lab_.Authenticate(token);
      if (!caller) return ErrorResponse(caller.error());
      ctx.caller = *caller;
    }
    try {
      auto reply = route.fn(lab_, ctx);
      if (!reply) return ErrorResponse(reply.error());
      return JsonResponse(reply->status, reply->body);
    } catch (const json::exception& e) {
      return ErrorResponse({ErrorCode::kInternal, std::string("JSON: ") + e.what(), {}});
    }
  }
  if (!allowed.empty()) {
    Response r = ErrorResponse({ErrorCode::kFailedPrecondition,
                                req.method + " is not allowed here; use " + allowed, {}});
    r.status = 405;
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  return ErrorResponse({ErrorCode::kNotFound, "no API route " + req.method + " " + req.path +
                                                  "; see /api/v1/openapi.json", {}});
}

}  // namespace qiusuo::http
