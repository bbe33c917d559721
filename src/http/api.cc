#include "http/api.h"

#include <charconv>
#include <cmath>
#include <ctime>
#include <limits>
#include <nlohmann/json.hpp>
#include <span>

#include "common/embedded.h"
#include "crypto/crypto.h"
#include "http/json_writer.h"

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
  static Result<Body> Parse(const std::string& text,
                            std::initializer_list<std::string_view> allowed) {
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

  Result<bool> Bool(const std::string& key, bool fallback) const {
    if (!doc_.contains(key) || doc_[key].is_null()) return fallback;
    if (!doc_[key].is_boolean()) return InvalidArgument(key, key + " must be true or false");
    return doc_[key].get<bool>();
  }

  Result<double> Number(const std::string& key) const {
    if (!doc_.contains(key) || !doc_[key].is_number())
      return InvalidArgument(key, key + " must be a number");
    return doc_[key].get<double>();
  }

  // {"K": "V", ...} in key order.
  Result<std::vector<std::pair<std::string, std::string>>> StringMap(const std::string& key) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (!doc_.contains(key) || doc_[key].is_null()) return out;
    if (!doc_[key].is_object()) return InvalidArgument(key, key + " must be an object of strings");
    for (const auto& [k, v] : doc_[key].items()) {
      if (!v.is_string())
        return InvalidArgument(key,
                               std::string(key).append(".").append(k).append(" must be a string"));
      out.emplace_back(k, v.get<std::string>());
    }
    return out;
  }

 private:
  explicit Body(json doc) : doc_(std::move(doc)) {}
  json doc_;
};

// ---- JSON views of the records ------------------------------------------------
// Written straight to text with JsonWriter: these are the hot path of every listing.

std::string Time(UnixSeconds t) { return FormatRfc3339(t); }

struct MemberView {
  const Member& member;
  bool with_private;  // emails are shown to their owner only
};

void Write(JsonWriter& w, const MemberView& v) {
  const Member& m = v.member;
  w.BeginObject()
      .Field("handle", m.handle)
      .Field("name", m.name)
      .Field("skills", m.skills)
      .Field("interests", m.interests)
      .Field("steward", m.steward)
      .Field("joined_at", Time(m.joined_at));
  if (v.with_private) w.Field("emails", m.emails);
  w.EndObject();
}

void Write(JsonWriter& w, const Idea& i) {
  w.BeginObject()
      .Field("id", i.id.value)
      .Field("title", i.title)
      .Field("pitch", i.pitch)
      .Field("author", i.author_handle)
      .Field("backers", i.backers)
      .Field("backer_count", static_cast<std::int64_t>(i.backers.size()))
      .Field("created_at", Time(i.created_at))
      .EndObject();
}

void Write(JsonWriter& w, const ProjectView& v) {
  const Project& p = v.project;
  w.BeginObject()
      .Field("id", p.id.value)
      .Field("title", p.title)
      .Field("pitch", p.pitch)
      .OptInt("idea_id", p.idea ? std::optional<std::int64_t>(p.idea->value) : std::nullopt)
      .Field("initiator", p.initiator_handle)
      .Field("looking_for", p.looking_for)
      .Key("members")
      .BeginArray();
  for (const auto& m : v.memberships) {
    if (m.state == MembershipState::kActive) w.String(m.handle);
  }
  w.EndArray().Key("memberships").BeginArray();
  for (const auto& m : v.memberships) {
    w.BeginObject()
        .Field("handle", m.handle)
        .Field("state", MembershipStateName(m.state))
        .Field("message", m.message)
        .Field("updated_at", Time(m.updated_at))
        .EndObject();
  }
  w.EndArray().Field("backers", p.backers).Field("created_at", Time(p.created_at)).EndObject();
}

void Write(JsonWriter& w, const Membership& m) {
  w.BeginObject()
      .Field("project_id", m.project.value)
      .Field("handle", m.handle)
      .Field("state", MembershipStateName(m.state))
      .Field("message", m.message)
      .Field("updated_at", Time(m.updated_at))
      .EndObject();
}

void Write(JsonWriter& w, const Task& t) {
  w.BeginObject()
      .Field("id", t.id.value)
      .Field("project_id", t.project.value)
      .Field("title", t.title)
      .Field("description", t.description)
      .Field("state", TaskStateName(t.state))
      .Key("holder");
  if (t.holder)
    w.String(t.holder_handle);
  else
    w.Null();
  w.Field("created_at", Time(t.created_at)).Field("updated_at", Time(t.updated_at)).EndObject();
}

// Log output may hold any bytes; JSON needs UTF-8, so invalid sequences become U+FFFD.
std::string ValidUtf8(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size();) {
    const auto c = static_cast<unsigned char>(in[i]);
    const std::size_t len = c < 0x80           ? 1
                            : (c >> 5) == 0x6  ? 2
                            : (c >> 4) == 0xE  ? 3
                            : (c >> 3) == 0x1E ? 4
                                               : 0;
    bool ok = len > 0 && i + len <= in.size();
    for (std::size_t k = 1; ok && k < len; ++k)
      ok = (static_cast<unsigned char>(in[i + k]) >> 6) == 0x2;
    if (ok) {
      out.append(in.substr(i, len));
      i += len;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
    }
  }
  return out;
}

void WriteOptTime(JsonWriter& w, std::string_view key, const std::optional<UnixSeconds>& t) {
  w.Key(key);
  if (t)
    w.String(Time(*t));
  else
    w.Null();
}

// A job's fields, inside an object the caller opens and closes (so routes can add their own).
void WriteJobFields(JsonWriter& w, const Job& j) {
  w.Field("id", j.id.value)
      .Field("project_id", j.project.value)
      .Field("owner", j.owner_handle)
      .Field("name", j.name)
      .Field("gpus", static_cast<std::int64_t>(j.gpus))
      .OptInt("time_limit_s", j.time_limit_s)
      .Field("workdir", j.workdir)
      .Field("argv", j.argv)
      .Key("env")
      .BeginObject();
  for (const auto& [k, v] : j.env) w.Field(k, v);
  w.EndObject()
      .Field("state", JobStateName(j.state))
      .Field("restarts", static_cast<std::int64_t>(j.run))
      .Key("gpu_ids")
      .BeginArray();
  for (int g : j.gpu_ids) w.Int(g);
  w.EndArray()
      .OptInt("exit_code", j.exit_code)
      .Field("reason", j.reason)
      .Field("stopping", JobStopName(j.stopping))
      .Field("submitted_at", Time(j.submitted_at));
  WriteOptTime(w, "started_at", j.started_at);
  WriteOptTime(w, "finished_at", j.finished_at);
  // GPU-hours to two decimals: 0.04 for 8 GPUs over 20 s.
  w.Key("gpu_hours_used").Double(std::round(static_cast<double>(j.attained_gpu_s) / 36.0) / 100.0);
}

void Write(JsonWriter& w, const Job& j) {
  w.BeginObject();
  WriteJobFields(w, j);
  w.EndObject();
}

void Write(JsonWriter& w, const ProjectBoost& b) {
  w.BeginObject()
      .Field("project_id", b.project.value)
      .Key("factor")
      .Double(b.factor)
      .Field("expires_at", Time(b.expires_at))
      .Field("reason", b.reason)
      .Field("granted_by", b.granted_by_handle)
      .Field("created_at", Time(b.created_at))
      .EndObject();
}

template <typename T>
std::string ToJson(const T& value) {
  JsonWriter w;
  Write(w, value);
  return w.Take();
}

// {"items": [...], "next_cursor": "123" | null}
template <typename Items, typename F>
std::string ListJson(const Items& items, std::optional<std::int64_t> next_before, F write_item) {
  JsonWriter w;
  w.BeginObject().Key("items").BeginArray();
  for (const auto& item : items) write_item(w, item);
  w.EndArray().Key("next_cursor");
  if (next_before)
    w.String(std::to_string(*next_before));
  else
    w.Null();
  w.EndObject();
  return w.Take();
}

template <typename T>
std::string ListJson(const Listing<T>& listing) {
  return ListJson(listing.items, listing.next_before,
                  [](JsonWriter& w, const T& item) { Write(w, item); });
}

// ---- routing -----------------------------------------------------------------

struct Reply {
  int status = 200;
  std::string body;  // JSON text, unless content_type says otherwise
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<EventStream> stream;
};

// Browser sessions: the token lives in an HttpOnly cookie that scripts cannot read,
// and every state-changing request must carry X-CSRF-Token, a value derived from the
// token that only a page of this origin can know (from the sign-in reply, or the
// readable qs_csrf cookie, which other sites cannot read).
constexpr const char* kSessionCookie = "qs_session";
constexpr const char* kCsrfCookie = "qs_csrf";
constexpr int kCookieSeconds = 30 * 24 * 3600;

std::string CsrfFor(std::string_view token) {
  return crypto::Sha256Hex("qiusuo-csrf\n" + std::string(token));
}

// Secure when a TLS proxy in front says the browser came over HTTPS.
std::vector<std::pair<std::string, std::string>> SessionCookies(const std::string& token,
                                                                int max_age, bool https) {
  const std::string tail =
      "; Path=/; SameSite=Strict; Max-Age=" + std::to_string(max_age) + (https ? "; Secure" : "");
  return {{"Set-Cookie", std::string(kSessionCookie) + "=" + token + tail + "; HttpOnly"},
          {"Set-Cookie",
           std::string(kCsrfCookie) + "=" + (token.empty() ? "" : CsrfFor(token)) + tail}};
}

// Small fixed-shape replies, where a DOM costs nothing that matters.
std::string Small(const json& j) { return j.dump(); }

struct Ctx {
  const Request& req;
  Caller caller;
  std::vector<std::string> params;  // the {…} segments of the route, in order
  Compute* compute = nullptr;
  Ledger* ledger = nullptr;
  Api* api = nullptr;
};

// GET /api/v1/events: the cluster as GET /api/v1/cluster shows it, sent again when it
// changes; with ?job=ID also that job (as GET /api/v1/jobs/ID) and its output as it
// grows. Each tick asks the API as the caller would, so a revoked session ends it.
class LabEvents final : public EventStream {
 public:
  LabEvents(Api& api, const Request& req, std::optional<std::int64_t> job) : api_(api), job_(job) {
    base_.method = "GET";
    base_.authorization = req.authorization;
    base_.cookie = req.cookie;
    base_.remote = req.remote;
  }

  Chunk Next() override {
    Chunk out;
    if (!Emit("cluster", "/api/v1/cluster", last_cluster_, out)) return out;
    if (job_) {
      const std::string path = "/api/v1/jobs/" + std::to_string(*job_);
      if (!Emit("job", path, last_job_, out)) return out;
      while (true) {  // output as it grows, up to 1 MiB a request
        Request r = base_;
        r.path = path + "/logs";
        r.query = {{"offset", std::to_string(log_offset_)}};
        const Response got = api_.Handle(r);
        if (got.status != 200) break;
        const json j = json::parse(got.body, nullptr, false);
        if (j.is_discarded() || j.value("data", "").empty()) break;
        out.data += "event: log\ndata: " + json{{"text", j["data"]}}.dump() + "\n\n";
        log_offset_ = j.value("next_offset", log_offset_);
      }
    }
    return out;
  }

 private:
  // Appends an event when `path` reads differently from last time; false (and the
  // stream done) when the caller may no longer read it.
  bool Emit(const char* event, const std::string& path, std::string& last, Chunk& out) {
    Request r = base_;
    r.path = path;
    Response got = api_.Handle(r);
    if (got.status == 401 || got.status == 403) {
      out.data += "event: end\ndata: " + got.body + "\n\n";
      out.done = true;
      return false;
    }
    if (got.body != last) {
      out.data += std::string("event: ") + event + "\ndata: " + got.body + "\n\n";
      last = std::move(got.body);
    }
    return true;
  }

  Api& api_;
  std::optional<std::int64_t> job_;
  Request base_;
  std::string last_cluster_;
  std::string last_job_;
  std::int64_t log_offset_ = 0;
};

Result<Ledger*> NeedLedger(const Ctx& c) {
  if (!c.ledger) return Fail(ErrorCode::kUnavailable, "this server keeps no ledger");
  return c.ledger;
}

void Write(JsonWriter& w, const Contribution& e) {
  w.BeginObject()
      .Field("seq", e.seq)
      .Field("at", Time(e.at))
      .Field("actor", e.actor)
      .Field("contributor", e.contributor)
      .Field("kind", e.kind)
      .OptInt("project_id", e.project)
      .Key("quantity")
      .Double(static_cast<double>(e.quantity_milli) / 1000.0)
      .Field("unit", e.unit)
      .Field("evidence", e.evidence)
      .Field("note", e.note)
      .Field("self", e.self)
      .OptInt("corrects", e.corrects)
      .Field("prev", e.prev)
      .EndObject();
}

std::string HashList(const std::vector<ledger::Hash>& hashes) {
  json out = json::array();
  for (const auto& h : hashes) out.push_back(ledger::Hex(h));
  return out.dump();
}

Result<std::int64_t> IntQuery(const Request& req, const char* key, std::int64_t fallback) {
  auto it = req.query.find(key);
  if (it == req.query.end() || it->second.empty()) return fallback;
  std::int64_t v = 0;
  const auto [ptr, ec] =
      std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  if (ec != std::errc() || ptr != it->second.data() + it->second.size())
    return InvalidArgument(key, std::string(key) + " must be an integer");
  return v;
}

std::string RoundJson(const RoundView& v) {
  JsonWriter w;
  const RewardRound& r = v.round;
  w.BeginObject()
      .Field("id", r.id)
      .Field("title", r.settings.title)
      .Field("pool", FormatMinor(r.settings.pool_minor))
      .Field("pool_minor", r.settings.pool_minor)
      .Field("currency", r.settings.currency)
      .Field("period_from", Time(r.settings.period_from))
      .Field("period_to", Time(r.settings.period_to))
      .Key("alpha")
      .Double(static_cast<double>(r.settings.alpha_milli) / 1000.0)
      .Field("state", r.state)
      .Field("opened_by", r.opened_by)
      .Field("created_at", Time(r.created_at))
      .Key("payout")
      .BeginArray();
  for (const auto& p : v.payout) {
    w.BeginObject()
        .Field("handle", p.handle)
        .Field("amount", FormatMinor(p.amount_minor))
        .Field("amount_minor", p.amount_minor)
        .Key("record_weight")
        .Double(static_cast<double>(p.record_milli) / 1000.0)
        .Field("points_received", p.points)
        .EndObject();
  }
  w.EndArray().Key("points").BeginArray();
  for (const auto& [giver, receiver, n, note] : v.points) {
    w.BeginObject()
        .Field("from", giver)
        .Field("to", receiver)
        .Field("points", n)
        .Field("note", note)
        .EndObject();
  }
  w.EndArray().EndObject();
  return w.Take();
}

Result<Compute*> NeedCompute(const Ctx& c) {
  if (!c.compute)
    return Fail(ErrorCode::kUnavailable, "this server runs no jobs (no executor configured)");
  return c.compute;
}

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
    const auto [ptr, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
    if (ec != std::errc() || ptr != it->second.data() + it->second.size() || v < 1 || v > 200) {
      return InvalidArgument("limit", "limit is a whole number from 1 to 200");
    }
    page.limit = v;
  }
  if (auto it = req.query.find("cursor"); it != req.query.end() && !it->second.empty()) {
    std::int64_t v = 0;
    const auto [ptr, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
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
  auto m = QS_TRY(
      lab.ActOnMembership(c.caller, pid, act, c.params.size() > 1 ? c.params[1] : "", message));
  return Reply{200, ToJson(m)};
}

Result<Reply> TaskAct(Lab& lab, const Ctx& c, qiusuo::TaskAct act) {
  QS_TRY(Body::Parse(c.req.body, {}));
  auto t = QS_TRY(lab.ActOnTask(c.caller, TaskId(QS_TRY(IdParam(c.params[0], "task"))), act));
  return Reply{200, ToJson(t)};
}

Result<Reply> Backing(Lab& lab, const Ctx& c, bool project, bool back) {
  QS_TRY(Body::Parse(c.req.body, {}));
  if (project) {
    auto v =
        QS_TRY(lab.BackProject(c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project"))), back));
    return Reply{200, ToJson(v)};
  }
  auto i = QS_TRY(lab.BackIdea(c.caller, IdeaId(QS_TRY(IdParam(c.params[0], "idea"))), back));
  return Reply{200, ToJson(i)};
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
       auto body = QS_TRY(Body::Parse(c.req.body, {"handle", "password", "name", "emails", "skills",
                                                   "interests", "invite_code"}));
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
       Reply reply{200, Small({{"revoked", c.caller.token.value}})};
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
       const auto tokens = QS_TRY(lab.ListTokens(c.caller));
       return Reply{200, ListJson(tokens, std::nullopt, [&](JsonWriter& w, const TokenRecord& t) {
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
       return Reply{201, Small({{"token", issued.token}, {"token_id", issued.id.value}})};
     }},
    {"DELETE", "/api/v1/tokens/{id}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       const TokenId id(QS_TRY(IdParam(c.params[0], "token")));
       QS_TRY_STATUS(lab.RevokeToken(c.caller, id));
       return Reply{200, Small({{"revoked", id.value}})};
     }},
    {"POST", "/api/v1/signup-invites", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       QS_TRY(Body::Parse(c.req.body, {}));
       return Reply{201, Small({{"invite_code", QS_TRY(lab.CreateSignupInvite(c.caller))}})};
     }},
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
    {"PUT", "/api/v1/ideas/{id}/backing", true,
     [](Lab& lab, const Ctx& c) { return Backing(lab, c, false, true); }},
    {"DELETE", "/api/v1/ideas/{id}/backing", true,
     [](Lab& lab, const Ctx& c) { return Backing(lab, c, false, false); }},
    {"GET", "/api/v1/projects", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto listing = QS_TRY(lab.ListProjects(c.caller, QS_TRY(PageParams(c.req))));
       return Reply{200, ListJson(listing)};
     }},
    {"POST", "/api/v1/projects", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"title", "pitch", "idea_id", "looking_for"}));
       StartProjectRequest req;
       req.title = QS_TRY(body.String("title", false));
       req.pitch = QS_TRY(body.String("pitch", false));
       if (auto idea = QS_TRY(body.OptInt("idea_id")))
         req.idea = IdeaId(*idea);
       else if (req.title.empty())
         return InvalidArgument("title", "title is required (or start from an idea with idea_id)");
       req.looking_for = QS_TRY(body.Strings("looking_for"));
       return Reply{201, ToJson(QS_TRY(lab.StartProject(c.caller, std::move(req))))};
     }},
    {"GET", "/api/v1/projects/{id}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       return Reply{200, ToJson(QS_TRY(lab.GetProject(
                             c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project"))))))};
     }},
    {"PATCH", "/api/v1/projects/{id}", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"looking_for"}));
       const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
       return Reply{
           200,
           ToJson(QS_TRY(lab.SetLookingFor(c.caller, pid, QS_TRY(body.Strings("looking_for")))))};
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
       const auto tasks =
           QS_TRY(lab.ListTasks(c.caller, ProjectId(QS_TRY(IdParam(c.params[0], "project")))));
       return Reply{
           200, ListJson(tasks, std::nullopt, [](JsonWriter& w, const Task& t) { Write(w, t); })};
     }},
    {"POST", "/api/v1/projects/{id}/tasks", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       auto body = QS_TRY(Body::Parse(c.req.body, {"title", "description"}));
       const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
       auto t = QS_TRY(lab.AddTask(c.caller, pid, QS_TRY(body.String("title", true)),
                                   QS_TRY(body.String("description", false))));
       return Reply{201, ToJson(t)};
     }},
    {"POST", "/api/v1/jobs", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       auto body = QS_TRY(Body::Parse(
           c.req.body, {"project_id", "name", "gpus", "time_limit_s", "workdir", "env", "argv"}));
       SubmitRequest req;
       auto project = QS_TRY(body.OptInt("project_id"));
       if (!project) return InvalidArgument("project_id", "project_id is required");
       req.project = ProjectId(*project);
       req.name = QS_TRY(body.String("name", false));
       auto gpus = QS_TRY(body.OptInt("gpus"));
       if (!gpus) return InvalidArgument("gpus", "gpus is required");
       if (*gpus < 0 || *gpus > 1'000'000)
         return InvalidArgument("gpus", "gpus is a number of GPUs");
       req.gpus = static_cast<int>(*gpus);
       req.time_limit_s = QS_TRY(body.OptInt("time_limit_s"));
       req.workdir = QS_TRY(body.String("workdir", true));
       req.argv = QS_TRY(body.Strings("argv"));
       req.env = QS_TRY(body.StringMap("env"));
       return Reply{201, ToJson(QS_TRY(compute->Submit(c.caller, std::move(req))))};
     }},
    {"GET", "/api/v1/jobs", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       std::optional<ProjectId> project;
       if (auto it = c.req.query.find("project"); it != c.req.query.end() && !it->second.empty()) {
         project = ProjectId(QS_TRY(IdParam(it->second, "project")));
       }
       auto listing = QS_TRY(compute->ListJobs(c.caller, project, QS_TRY(PageParams(c.req))));
       return Reply{200, ListJson(listing)};
     }},
    {"GET", "/api/v1/jobs/{id}", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       const JobId id(QS_TRY(IdParam(c.params[0], "job")));
       const Job job = QS_TRY(compute->GetJob(c.caller, id));
       const auto notes = QS_TRY(compute->Notes(c.caller, id));
       JsonWriter w;
       w.BeginObject();
       WriteJobFields(w, job);
       w.Key("notes").BeginArray();
       for (const auto& n : notes) {
         w.BeginObject()
             .Field("author", n.author_handle)
             .Field("outcome", n.outcome)
             .Field("text", n.text)
             .Field("created_at", Time(n.created_at))
             .EndObject();
       }
       w.EndArray().EndObject();
       return Reply{200, w.Take()};
     }},
    {"POST", "/api/v1/jobs/{id}/cancel", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       QS_TRY(Body::Parse(c.req.body, {}));
       return Reply{
           200,
           ToJson(QS_TRY(compute->Cancel(c.caller, JobId(QS_TRY(IdParam(c.params[0], "job"))))))};
     }},
    {"GET", "/api/v1/jobs/{id}/logs", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       const JobId id(QS_TRY(IdParam(c.params[0], "job")));
       bool err = false;
       if (auto it = c.req.query.find("stream"); it != c.req.query.end()) {
         if (it->second != "stdout" && it->second != "stderr") {
           return InvalidArgument("stream", "stream is stdout or stderr");
         }
         err = it->second == "stderr";
       }
       std::int64_t offset = 0;
       if (auto it = c.req.query.find("offset"); it != c.req.query.end() && !it->second.empty()) {
         const auto [ptr, ec] =
             std::from_chars(it->second.data(), it->second.data() + it->second.size(), offset);
         if (ec != std::errc() || offset < 0)
           return InvalidArgument("offset", "offset is a byte offset, 0 or more");
       }
       const LogChunk chunk = QS_TRY(compute->ReadLog(c.caller, id, err, offset, 1 << 20));
       JsonWriter w;
       w.BeginObject()
           .Field("data", ValidUtf8(chunk.data))
           .Field("next_offset", chunk.next_offset)
           .Field("done", chunk.done)
           .EndObject();
       return Reply{200, w.Take()};
     }},
    {"POST", "/api/v1/jobs/{id}/notes", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       auto body = QS_TRY(Body::Parse(c.req.body, {"outcome", "text"}));
       const JobId id(QS_TRY(IdParam(c.params[0], "job")));
       QS_TRY_STATUS(compute->AddNote(c.caller, id, QS_TRY(body.String("outcome", true)),
                                      QS_TRY(body.String("text", true))));
       return Reply{201, Small({{"job_id", id.value}, {"recorded", true}})};
     }},
    {"GET", "/api/v1/queue", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       const auto queue = QS_TRY(compute->Queue(c.caller));
       return Reply{200, ListJson(queue, std::nullopt, [](JsonWriter& w, const QueueEntry& e) {
                      w.BeginObject();
                      WriteJobFields(w, e.job);
                      w.Field("waiting_reason", e.reason).EndObject();
                    })};
     }},
    {"GET", "/api/v1/events", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       QS_TRY(NeedCompute(c));
       std::optional<std::int64_t> job;
       if (auto it = c.req.query.find("job"); it != c.req.query.end() && !it->second.empty()) {
         job = QS_TRY(IdParam(it->second, "job"));
       }
       Reply reply{200, "", "text/event-stream"};
       reply.stream = std::make_shared<LabEvents>(*c.api, c.req, job);
       return reply;
     }},
    {"GET", "/api/v1/cluster/utilization", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       auto number = [&](const char* key, int fallback) -> Result<int> {
         auto it = c.req.query.find(key);
         if (it == c.req.query.end() || it->second.empty()) return fallback;
         int n = 0;
         const auto [ptr, ec] =
             std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
         if (ec != std::errc() || ptr != it->second.data() + it->second.size())
           return InvalidArgument(key, std::string(key) + " is a whole number");
         return n;
       };
       const int hours = QS_TRY(number("hours", 24));
       const UtilizationView v =
           QS_TRY(compute->Utilization(c.caller, hours, QS_TRY(number("buckets", 24))));
       json buckets = json::array();
       for (const auto& b : v.buckets) buckets.push_back(b ? json(*b) : json(nullptr));
       return Reply{200, json{{"from", Time(v.from)},
                              {"to", Time(v.to)},
                              {"bucket_s", v.bucket_s},
                              {"buckets", buckets},
                              {"mean", v.mean ? json(*v.mean) : json(nullptr)}}
                             .dump()};
     }},
    {"GET", "/api/v1/cluster", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       const ClusterView view = QS_TRY(compute->Cluster(c.caller));
       JsonWriter w;
       w.BeginObject().Key("gpus").BeginArray();
       for (int g : view.gpus) {
         w.BeginObject().Field("index", static_cast<std::int64_t>(g)).Key("job");
         if (auto it = view.gpu_jobs.find(g); it != view.gpu_jobs.end()) {
           w.BeginObject()
               .Field("id", it->second.id.value)
               .Field("project_id", it->second.project.value)
               .Field("owner", it->second.owner_handle)
               .Field("name", it->second.name)
               .EndObject();
         } else {
           w.Null();
         }
         w.EndObject();
       }
       w.EndArray()
           .Field("pending", static_cast<std::int64_t>(view.pending))
           .Key("projects")
           .BeginArray();
       for (const auto& p : view.projects) {
         w.BeginObject()
             .Field("id", p.project)
             .Field("title", p.title)
             .Key("weight")
             .Double(p.share.weight)
             .Key("entitlement")
             .Double(p.share.entitlement)
             .Key("demand")
             .Double(p.share.demand)
             .Field("allocated", static_cast<std::int64_t>(p.share.allocated))
             .Key("decayed_gpu_hours")
             .Double(p.share.usage / 3600.0)
             .Key("boosts")
             .BeginArray();
         for (const auto& b : p.boosts) Write(w, b);
         w.EndArray().EndObject();
       }
       w.EndArray().EndObject();
       return Reply{200, w.Take()};
     }},
    {"POST", "/api/v1/projects/{id}/boosts", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       auto body = QS_TRY(Body::Parse(c.req.body, {"factor", "expires_at", "reason"}));
       const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
       const auto factor = QS_TRY(body.Number("factor"));
       const auto until = QS_TRY(body.OptInt("expires_at"));
       if (!until) return InvalidArgument("expires_at", "expires_at (Unix seconds) is required");
       auto boost = QS_TRY(
           compute->Boost(c.caller, pid, factor, *until, QS_TRY(body.String("reason", true))));
       return Reply{201, ToJson(boost)};
     }},
    {"GET", "/api/v1/boosts", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Compute* compute = QS_TRY(NeedCompute(c));
       const auto boosts = QS_TRY(compute->Boosts(c.caller));
       return Reply{200, ListJson(boosts, std::nullopt,
                                  [](JsonWriter& w, const ProjectBoost& b) { Write(w, b); })};
     }},
    // ---- the ledger ----
    {"GET", "/api/v1/ledger/key", false,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       return Reply{200, Small({{"algorithm", "ed25519"},
                                {"public_key", crypto::ToHex(ledger->public_key())}})};
     }},
    {"GET", "/api/v1/ledger/checkpoint", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const ledger::Checkpoint cp = QS_TRY(ledger->Checkpoint());
       return Reply{200, Small({{"tree_size", cp.tree_size},
                                {"root", ledger::Hex(cp.root)},
                                {"at", cp.at},
                                {"signature", crypto::ToHex(cp.signature)}})};
     }},
    {"GET", "/api/v1/ledger/kinds", true,
     [](Lab&, const Ctx&) -> Result<Reply> {
       JsonWriter w;
       w.BeginObject().Key("items").BeginArray();
       for (const auto& k : ContributionKinds()) {
         w.BeginObject()
             .Field("name", k.name)
             .Field("source", k.source)
             .Field("credit_role", k.credit_role)
             .Key("weight")
             .Double(k.weight)
             .Key("weight_per_unit")
             .Double(k.weight_per_unit)
             .Field("description", k.description)
             .EndObject();
       }
       w.EndArray().EndObject();
       return Reply{200, w.Take()};
     }},
    {"GET", "/api/v1/ledger/entries", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       LedgerQuery q;
       q.after_seq = QS_TRY(IntQuery(c.req, "after", 0));
       q.limit = static_cast<int>(QS_TRY(IntQuery(c.req, "limit", 100)));
       if (auto it = c.req.query.find("contributor"); it != c.req.query.end()) q.contributor = it->second;
       if (auto it = c.req.query.find("evidence"); it != c.req.query.end()) q.evidence = it->second;
       if (auto it = c.req.query.find("project"); it != c.req.query.end() && !it->second.empty())
         q.project = QS_TRY(IdParam(it->second, "project"));
       const auto entries = QS_TRY(ledger->Entries(c.caller, q));
       JsonWriter w;
       w.BeginObject().Key("items").BeginArray();
       for (const auto& e : entries) Write(w, e);
       const bool more =
           static_cast<int>(entries.size()) == std::clamp(q.limit, 1, 1000) && !entries.empty();
       w.EndArray()
           .OptInt("next_after", more ? std::optional(entries.back().seq) : std::nullopt)
           .EndObject();
       return Reply{200, w.Take()};
     }},
    {"POST", "/api/v1/ledger/entries", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       auto body = QS_TRY(Body::Parse(c.req.body, {"contributor", "kind", "project_id", "quantity",
                                                   "unit", "evidence", "note", "corrects"}));
       ThankRequest req;
       req.contributor = QS_TRY(body.String("contributor", true));
       req.kind = QS_TRY(body.String("kind", true));
       if (auto p = QS_TRY(body.OptInt("project_id"))) req.project = ProjectId(*p);
       if (body.Has("quantity"))
         req.quantity_milli = static_cast<std::int64_t>(std::llround(QS_TRY(body.Number("quantity")) * 1000));
       req.unit = QS_TRY(body.String("unit", false));
       req.evidence = QS_TRY(body.String("evidence", false));
       req.note = QS_TRY(body.String("note", true));
       req.corrects = QS_TRY(body.OptInt("corrects"));
       const Contribution e = QS_TRY(ledger->Thank(c.caller, std::move(req)));
       JsonWriter w;
       Write(w, e);
       return Reply{201, w.Take()};
     }},
    {"GET", "/api/v1/ledger/entries/{seq}", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const std::int64_t seq = QS_TRY(IdParam(c.params[0], "entry"));
       const Contribution e = QS_TRY(ledger->Entry(c.caller, seq));
       JsonWriter w;
       Write(w, e);
       return Reply{200, w.Take()};
     }},
    {"GET", "/api/v1/ledger/export", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       std::string out;
       auto append = [&](std::string_view line) {
         out += line;
         out += '\n';
       };
       // Paged (after, upto): entry lines only, at most kExportPage of them; the
       // client adds the checkpoint it fetched. Whole: small ledgers only.
       constexpr std::int64_t kExportPage = 50'000;
       if (c.req.query.contains("upto")) {
         const std::int64_t after = QS_TRY(IntQuery(c.req, "after", 0));
         const std::int64_t upto = QS_TRY(IntQuery(c.req, "upto", 0));
         const std::int64_t limit =
             std::clamp<std::int64_t>(QS_TRY(IntQuery(c.req, "limit", kExportPage)), 1, kExportPage);
         if (after < 0 || upto < after)
           return InvalidArgument("upto", "0 <= after <= upto, sequence numbers");
         QS_TRY_STATUS(ledger->ExportRange(after, std::min(upto, after + limit), append));
         return Reply{200, std::move(out), "application/x-ndjson"};
       }
       if (QS_TRY(ledger->Checkpoint()).tree_size > kExportPage) {
         return Fail(ErrorCode::kTooLarge,
                     "the ledger is too large for one answer; page it with ?after=N&upto=SIZE "
                     "(as `qiusuo ledger export` does)");
       }
       QS_TRY_STATUS(ledger->Export(append));
       return Reply{200, std::move(out), "application/x-ndjson"};
     }},
    {"GET", "/api/v1/ledger/proof/inclusion", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const std::int64_t seq = QS_TRY(IntQuery(c.req, "seq", 0));
       std::int64_t size = QS_TRY(IntQuery(c.req, "tree_size", 0));
       if (size == 0) size = QS_TRY(ledger->Checkpoint()).tree_size;
       const auto proof = QS_TRY(ledger->InclusionProof(seq, size));
       const ledger::Hash leaf = QS_TRY(ledger->LeafHashOf(seq));
       return Reply{200, "{\"seq\":" + std::to_string(seq) + ",\"tree_size\":" + std::to_string(size) +
                             ",\"leaf_hash\":\"" + ledger::Hex(leaf) + "\",\"audit_path\":" +
                             HashList(proof) + "}"};
     }},
    {"GET", "/api/v1/ledger/proof/consistency", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const std::int64_t first = QS_TRY(IntQuery(c.req, "first", 0));
       std::int64_t second = QS_TRY(IntQuery(c.req, "second", 0));
       if (second == 0) second = QS_TRY(ledger->Checkpoint()).tree_size;
       const auto proof = QS_TRY(ledger->ConsistencyProof(first, second));
       return Reply{200, "{\"first\":" + std::to_string(first) + ",\"second\":" +
                             std::to_string(second) + ",\"proof\":" + HashList(proof) + "}"};
     }},
    {"GET", "/api/v1/members/{handle}/record", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const RecordProfile p = QS_TRY(ledger->Profile(c.caller, c.params[0]));
       JsonWriter w;
       w.BeginObject().Field("contributor", p.contributor).Key("first");
       if (p.timeline.empty()) w.Null(); else w.String(Time(p.timeline.front().at));
       w.Key("latest");
       if (p.timeline.empty()) w.Null(); else w.String(Time(p.timeline.back().at));
       auto totals = [&](const char* key, const std::vector<ProfileTotal>& list) {
         w.Key(key).BeginArray();
         for (const auto& t : list) {
           w.BeginObject().Field("key", t.key).Field("entries", t.entries).Key("quantity")
               .Double(static_cast<double>(t.quantity_milli) / 1000.0).Field("unit", t.unit).EndObject();
         }
         w.EndArray();
       };
       totals("by_kind", p.by_kind);
       totals("by_project", p.by_project);
       w.Key("corrected").BeginArray();
       for (auto seq : p.corrected) w.Int(seq);
       w.EndArray().Key("timeline").BeginArray();
       for (const auto& e : p.timeline) Write(w, e);
       w.EndArray().EndObject();
       return Reply{200, w.Take()};
     }},
    {"GET", "/api/v1/projects/{id}/authors", true,
     [](Lab& lab, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
       const std::int64_t from = QS_TRY(IntQuery(c.req, "from", 0));
       const std::int64_t to = QS_TRY(IntQuery(c.req, "to", std::numeric_limits<std::int32_t>::max()));
       const auto authors = QS_TRY(ledger->Authors(c.caller, pid, from, to));
       const std::string title = QS_TRY(lab.GetProject(c.caller, pid)).project.title;
       const UnixSeconds until = c.req.query.contains("to") ? to : std::time(nullptr);
       auto format = c.req.query.find("format");
       if (format != c.req.query.end() && format->second == "cff")
         return Reply{200, CitationCff(title, authors, until), "text/yaml; charset=utf-8"};
       if (format != c.req.query.end() && format->second == "bibtex")
         return Reply{200, BibTeX(pid.value, title, authors, until), "text/x-bibtex; charset=utf-8"};
       JsonWriter w;
       w.BeginObject().Field("project_id", pid.value).Field("title", title).Key("authors").BeginArray();
       for (const auto& a : authors) {
         w.BeginObject().Field("contributor", a.contributor).Field("name", a.name).Key("weight")
             .Double(static_cast<double>(a.weight_milli) / 1000.0).Field("roles", a.roles).EndObject();
       }
       w.EndArray().EndObject();
       return Reply{200, w.Take()};
     }},
    {"POST", "/api/v1/projects/{id}/commits", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const ProjectId pid(QS_TRY(IdParam(c.params[0], "project")));
       auto body = QS_TRY(Body::Parse(c.req.body, {"commits"}));
       const json doc = json::parse(c.req.body);
       if (!doc["commits"].is_array())
         return InvalidArgument("commits", "commits is an array of commit objects");
       std::vector<CommitRecord> commits;
       commits.reserve(doc["commits"].size());
       for (const auto& item : doc["commits"]) {
         if (!item.is_object() || !item.contains("sha") || !item["sha"].is_string() ||
             !item.value("at", json()).is_number_integer() ||
             !item.value("lines", json()).is_number_integer()) {
           return InvalidArgument("commits",
                                  "each commit has sha, author_name, author_email, at (Unix "
                                  "seconds), lines and headline");
         }
         commits.push_back({item["sha"].get<std::string>(), item.value("author_name", ""),
                            item.value("author_email", ""), item["at"].get<std::int64_t>(),
                            item["lines"].get<std::int64_t>(), item.value("headline", "")});
       }
       const ImportResult r = QS_TRY(ledger->ImportCommits(c.caller, pid, commits));
       return Reply{200, Small({{"recorded", r.recorded},
                                {"skipped", r.skipped},
                                {"members", r.members}})};
     }},
    {"POST", "/api/v1/me/identities", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       auto body = QS_TRY(Body::Parse(c.req.body, {"email"}));
       const std::string email = QS_TRY(body.String("email", true));
       QS_TRY_STATUS(ledger->ClaimIdentity(c.caller, email));
       return Reply{202, Small({{"sent_to", email}})};
     }},
    {"POST", "/api/v1/me/identities/confirm", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       auto body = QS_TRY(Body::Parse(c.req.body, {"email", "code"}));
       const Contribution e = QS_TRY(ledger->ConfirmIdentity(
           c.caller, QS_TRY(body.String("email", true)), QS_TRY(body.String("code", true))));
       JsonWriter w;
       Write(w, e);
       return Reply{201, w.Take()};
     }},
    // ---- reward rounds ----
    {"POST", "/api/v1/rewards/rounds", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       auto body = QS_TRY(Body::Parse(c.req.body, {"title", "pool_minor", "currency", "period_from",
                                                   "period_to", "alpha", "weights"}));
       RewardSettings s;
       s.title = QS_TRY(body.String("title", true));
       s.pool_minor = QS_TRY(body.OptInt("pool_minor")).value_or(0);
       s.currency = QS_TRY(body.String("currency", true));
       s.period_from = QS_TRY(body.OptInt("period_from")).value_or(0);
       s.period_to = QS_TRY(body.OptInt("period_to")).value_or(0);
       if (body.Has("alpha"))
         s.alpha_milli = static_cast<std::int64_t>(std::llround(QS_TRY(body.Number("alpha")) * 1000));
       for (const auto& [kind, text] : QS_TRY(body.StringMap("weights"))) {
         // "per_entry[,per_unit]", e.g. "3" or "1,0.5".
         const auto comma = text.find(',');
         try {
           s.weights[kind] = {static_cast<std::int64_t>(std::llround(std::stod(text.substr(0, comma)) * 1000)),
                              comma == std::string::npos ? 0 : static_cast<std::int64_t>(std::llround(std::stod(text.substr(comma + 1)) * 1000))};
         } catch (const std::exception&) {
           return InvalidArgument("weights", "weights." + kind + " is \"per entry[,per unit]\", like \"1,0.5\"");
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
       for (std::size_t i = 0; i < rounds.size(); ++i) out += (i ? "," : "") + RoundJson({rounds[i], {}, {}});
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
       std::vector<std::tuple<std::string, std::int64_t, std::string>> points;
       for (const auto& [handle, text] : QS_TRY(body.StringMap("points"))) {
         const auto space = text.find(' ');
         std::int64_t n = 0;
         const std::string number = text.substr(0, space);
         const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), n);
         if (ec != std::errc() || ptr != number.data() + number.size())
           return InvalidArgument("points", "points.@" + handle + " starts with a whole number of points");
         points.emplace_back(handle, n, space == std::string::npos ? "" : text.substr(space + 1));
       }
       QS_TRY_STATUS(ledger->GivePoints(c.caller, id, points));
       const RoundView v = QS_TRY(ledger->Round(c.caller, id));
       return Reply{200, RoundJson(v)};
     }},
    {"POST", "/api/v1/rewards/rounds/{id}/close", true,
     [](Lab&, const Ctx& c) -> Result<Reply> {
       Ledger* ledger = QS_TRY(NeedLedger(c));
       const RoundView v = QS_TRY(ledger->CloseRound(c.caller, QS_TRY(IdParam(c.params[0], "round"))));
       return Reply{200, RoundJson(v)};
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
  return {
      status, "application/json", body.dump(-1, ' ', false, json::error_handler_t::replace), {}};
}

Response ErrorResponse(const Error& e) {
  Response r = JsonResponse(
      HttpStatusFor(e.code),
      {{"error", {{"code", ErrorCodeName(e.code)}, {"message", e.message}, {"field", e.field}}}});
  if (e.code == ErrorCode::kUnauthenticated) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

}  // namespace

Api::Api(Lab& lab, Compute* compute, Ledger* ledger)
    : lab_(lab), compute_(compute), ledger_(ledger) {}

std::vector<RouteInfo> Api::Routes() {
  std::vector<RouteInfo> out;
  for (const auto& r : kRoutes)
    out.push_back({std::string(r.method), std::string(r.pattern), r.needs_auth});
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
    Ctx ctx{req, {}, params, compute_, ledger_};
    if (route.needs_auth) {
      std::string_view auth = req.authorization;
      std::string token;
      if (auth.starts_with("Bearer ")) {
        token = auth.substr(7);
      } else if (!auth.empty()) {
        return ErrorResponse(
            {ErrorCode::kUnauthenticated, "the Authorization header takes \"Bearer <token>\"", {}});
      } else {
        token = CookieValue(req.cookie, kSessionCookie);
        const bool safe = req.method == "GET" || req.method == "HEAD";
        if (!token.empty() && !safe && req.csrf != CsrfFor(token)) {
          return ErrorResponse({ErrorCode::kPermissionDenied,
                                "this request needs the X-CSRF-Token header of your session "
                                "(sign in again if the page is old)",
                                {}});
        }
      }
      auto caller = lab_.Authenticate(token);
      if (!caller) return ErrorResponse(caller.error());
      ctx.caller = *caller;
    }
    ctx.api = this;
    try {
      auto reply = route.fn(lab_, ctx);
      if (!reply) return ErrorResponse(reply.error());
      return {reply->status, std::move(reply->content_type), std::move(reply->body),
              std::move(reply->headers), std::move(reply->stream)};
    } catch (const json::exception& e) {
      return ErrorResponse({ErrorCode::kInternal, std::string("JSON: ") + e.what(), {}});
    }
  }
  if (!allowed.empty()) {
    Response r = ErrorResponse(
        {ErrorCode::kFailedPrecondition, req.method + " is not allowed here; use " + allowed, {}});
    r.status = 405;
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  return ErrorResponse(
      {ErrorCode::kNotFound,
       "no API route " + req.method + " " + req.path + "; see /api/v1/openapi.json",
       {}});
}

}  // namespace qiusuo::http
