// openapi.json is the contract: every route of Api::Routes() is called here at least
// once with success, on a lab with compute and a ledger, and every answer is checked
// against the schema the document gives for its status and content type. A route
// without a row here, or an answer the document does not describe, fails the test.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "http/api.h"
#include "http/api_test_lab.h"

namespace qiusuo::http {
namespace {

using json = nlohmann::json;

// The JSON-Schema subset openapi.json uses: $ref (to #/components/schemas/...), type
// (a name or a list of names, "null" among them), properties, required, items, enum,
// additionalProperties, format (date-time checked; int64 is "integer"), and
// description. Stricter than JSON Schema in one way, on purpose: an object with
// `properties` and no `additionalProperties` may have no other keys, so a field the
// server sends and the document does not list fails. Any other keyword fails too,
// rather than passing unchecked.
class SchemaValidator {
 public:
  explicit SchemaValidator(const json& doc) : doc_(doc) {}

  // The errors, one per line, each with the JSON pointer of the value; empty if valid.
  std::string Validate(const json& schema, const json& value) const {
    std::string errors;
    Check(schema, value, "", errors);
    return errors;
  }

 private:
  static bool HasType(const json& value, const std::string& type) {
    if (type == "null") return value.is_null();
    if (type == "boolean") return value.is_boolean();
    if (type == "integer") return value.is_number_integer();
    if (type == "number") return value.is_number();
    if (type == "string") return value.is_string();
    if (type == "array") return value.is_array();
    if (type == "object") return value.is_object();
    return false;
  }

  // "2026-11-30T07:47:44Z", as FormatRfc3339 writes it.
  static bool IsDateTime(const std::string& s) {
    static const std::string kShape = "dddd-dd-ddTdd:dd:ddZ";
    if (s.size() != kShape.size()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
      if (kShape[i] == 'd' ? !std::isdigit(static_cast<unsigned char>(s[i])) : s[i] != kShape[i])
        return false;
    }
    return true;
  }

  void Check(const json& schema, const json& value, const std::string& at,
             std::string& errors) const {
    auto fail = [&](const std::string& what) {
      errors += (at.empty() ? "/" : at) + ": " + what + "\n";
    };
    if (!schema.is_object()) return fail("the schema is not an object: " + schema.dump());
    static const std::set<std::string> kKnown = {"$ref",     "type",        "properties",
                                                 "required", "items",       "enum",
                                                 "format",   "description", "additionalProperties"};
    for (const auto& [keyword, _] : schema.items()) {
      if (!kKnown.contains(keyword)) fail("the validator does not know keyword " + keyword);
    }
    if (schema.contains("$ref")) {
      const std::string ref = schema["$ref"];
      const std::string prefix = "#/components/schemas/";
      if (!ref.starts_with(prefix) ||
          !doc_["components"]["schemas"].contains(ref.substr(prefix.size()))) {
        return fail("unresolved $ref " + ref);
      }
      return Check(doc_["components"]["schemas"][ref.substr(prefix.size())], value, at, errors);
    }
    if (schema.contains("type")) {
      const json& type = schema["type"];
      bool ok = false;
      if (type.is_string()) ok = HasType(value, type);
      for (const auto& t : type.is_array() ? type : json::array()) ok = ok || HasType(value, t);
      if (!ok) return fail("expected type " + type.dump() + ", got " + value.dump());
    }
    if (schema.contains("enum") &&
        std::find(schema["enum"].begin(), schema["enum"].end(), value) == schema["enum"].end()) {
      fail(value.dump() + " is not one of " + schema["enum"].dump());
    }
    if (schema.value("format", "") == "date-time" && value.is_string() &&
        !IsDateTime(value.get<std::string>())) {
      fail(value.dump() + " is not an RFC 3339 date-time");
    }
    if (value.is_array() && schema.contains("items")) {
      for (std::size_t i = 0; i < value.size(); ++i)
        Check(schema["items"], value[i], at + "/" + std::to_string(i), errors);
    }
    if (!value.is_object()) return;
    for (const auto& key : schema.value("required", json::array())) {
      if (!value.contains(key.get<std::string>())) fail("lacks required " + key.dump());
    }
    const json properties = schema.value("properties", json::object());
    for (const auto& [key, item] : value.items()) {
      if (properties.contains(key)) {
        Check(properties[key], item, at + "/" + key, errors);
      } else if (schema.contains("additionalProperties")) {
        const json& extra = schema["additionalProperties"];
        if (extra.is_boolean() && !extra.get<bool>()) fail("has undocumented " + key);
        if (extra.is_object()) Check(extra, item, at + "/" + key, errors);
      } else if (schema.contains("properties")) {
        fail("has undocumented " + key);
      }
    }
  }

  const json& doc_;
};

TEST(SchemaValidatorTest, CatchesWhatItShould) {
  const json doc = {
      {"components",
       {{"schemas",
         {{"Thing",
           {{"type", "object"},
            {"required", {"id"}},
            {"properties",
             {{"id", {{"type", "integer"}}},
              {"at", {{"type", {"string", "null"}}, {"format", "date-time"}}},
              {"tags", {{"type", "array"}, {"items", {{"enum", {"a", "b"}}}}}},
              {"env",
               {{"type", "object"}, {"additionalProperties", {{"type", "string"}}}}}}}}}}}}}};
  const SchemaValidator v(doc);
  const json ref = {{"$ref", "#/components/schemas/Thing"}};
  EXPECT_EQ(v.Validate(ref, json::parse(R"({"id": 1, "at": null, "tags": ["a"],
                                             "env": {"K": "V"}})")),
            "");
  EXPECT_EQ(v.Validate(ref, json::parse(R"({"id": 1, "at": "2026-11-30T07:47:44Z"})")), "");
  EXPECT_NE(v.Validate(ref, json::parse(R"({"at": null})")), "");                // required
  EXPECT_NE(v.Validate(ref, json::parse(R"({"id": "1"})")), "");                 // type
  EXPECT_NE(v.Validate(ref, json::parse(R"({"id": 1.5})")), "");                 // integer
  EXPECT_NE(v.Validate(ref, json::parse(R"({"id": 1, "at": "today"})")), "");    // format
  EXPECT_NE(v.Validate(ref, json::parse(R"({"id": 1, "tags": ["c"]})")), "");    // enum in items
  EXPECT_NE(v.Validate(ref, json::parse(R"({"id": 1, "env": {"K": 1}})")), "");  // additional
  EXPECT_NE(v.Validate(ref, json::parse(R"({"id": 1, "extra": 1})")), "");       // undocumented
  EXPECT_NE(v.Validate({{"$ref", "#/components/schemas/Nothing"}}, json::object()), "");
  EXPECT_NE(v.Validate({{"oneOf", json::array()}}, json::object()), "");  // unknown keyword
}

// Matches a path against a route pattern ("/api/v1/ideas/{id}").
bool Matches(const std::string& pattern, const std::string& path) {
  std::size_t p = 0, s = 0;
  while (p < pattern.size() && s < path.size()) {
    const std::size_t pe = std::min(pattern.find('/', p + 1), pattern.size());
    const std::size_t se = std::min(path.find('/', s + 1), path.size());
    const std::string pseg = pattern.substr(p, pe - p), seg = path.substr(s, se - s);
    if (!(pseg.starts_with("/{") && seg.size() > 1) && pseg != seg) return false;
    p = pe;
    s = se;
  }
  return p == pattern.size() && s == path.size();
}

class OpenApiTest : public api_test::FullLabTest {
 protected:
  // Sends the request to the API and checks the answer against the document. Returns
  // the parsed JSON body (null when it is not JSON).
  json Check(const std::string& method, const std::string& target, const json& body,
             const std::string& token, int want_status,
             std::map<std::string, std::string> headers = {}) {
    Request req;
    req.method = method;
    std::string query;
    const auto q = target.find('?');
    req.path = target.substr(0, q);
    if (q != std::string::npos) {
      std::string path;
      EXPECT_TRUE(ParseTarget(target, path, req.query)) << target;
    }
    req.body = body.is_null() ? "" : body.dump();
    if (!token.empty()) req.authorization = "Bearer " + token;
    req.cookie = headers["cookie"];
    req.csrf = headers["csrf"];
    req.last_event_id = headers["last-event-id"];
    const Response got = api_->Handle(req);

    std::string pattern;
    for (const auto& route : Api::Routes()) {
      if (route.method == method && Matches(route.pattern, req.path)) pattern = route.pattern;
    }
    EXPECT_FALSE(pattern.empty()) << method << " " << req.path << " is no route";
    if (pattern.empty()) return nullptr;
    const std::string name = method + " " + pattern;
    EXPECT_EQ(got.status, want_status) << name << " (" << target << "): " << got.body;
    if (got.status / 100 == 2) covered_.insert(name);

    std::string lower = method;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    const json& responses = doc_["paths"][pattern][lower]["responses"];
    const std::string status = std::to_string(got.status);
    if (!responses.contains(status)) {
      ADD_FAILURE() << name << " answered " << status << ", which openapi.json does not list";
      return nullptr;
    }
    std::string type = got.content_type.substr(0, got.content_type.find(';'));
    const json& content = responses[status].value("content", json::object());
    if (!content.contains(type)) {
      ADD_FAILURE() << name << " answered " << status << " as " << type
                    << ", which openapi.json does not list (it has " << content.dump() << ")";
      return nullptr;
    }
    if (!content[type].contains("schema")) {
      ADD_FAILURE() << name << " " << status << " " << type << " has no schema";
      return nullptr;
    }
    if (type != "application/json") {
      EXPECT_EQ(content[type]["schema"], json({{"type", "string"}})) << name;
      if (got.stream) return json(got.stream->Next().data);
      return json(got.body);
    }
    json parsed = json::parse(got.body, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << name << " sent no JSON: " << got.body;
    const std::string errors = validator_.Validate(content[type]["schema"], parsed);
    EXPECT_EQ(errors, "") << name << " " << status << " does not match openapi.json:\n"
                          << parsed.dump(2);
    return parsed;
  }

  // The data of every event of `type` in a text/event-stream chunk.
  static std::vector<json> Events(const std::string& stream, const std::string& type) {
    std::vector<json> out;
    std::string event;
    std::size_t pos = 0;
    while (pos < stream.size()) {
      const std::size_t end = std::min(stream.find('\n', pos), stream.size());
      const std::string line = stream.substr(pos, end - pos);
      if (line.starts_with("event: ")) event = line.substr(7);
      if (line.starts_with("data: ") && event == type) out.push_back(json::parse(line.substr(6)));
      pos = end + 1;
    }
    return out;
  }

  const json doc_ = json::parse(OpenApiDocument());
  const SchemaValidator validator_{doc_};
  std::set<std::string> covered_;  // "METHOD /pattern" answered with success
};

TEST_F(OpenApiTest, EveryRouteAnswersAsTheDocumentSays) {
  // ---- accounts ----
  const std::string invite =
      Check("POST", "/api/v1/signup-invites", nullptr, steward_, 201).value("invite_code", "");
  Check("POST", "/api/v1/members",
        {{"handle", "carol"},
         {"password", api_test::kPassword},
         {"name", "Carol"},
         {"emails", {"carol@lab.org"}},
         {"skills", {"CUDA"}},
         {"interests", {"RL"}},
         {"invite_code", invite}},
        "", 201);
  const std::string carol = Check("POST", "/api/v1/sessions",
                                  {{"handle", "carol"}, {"password", api_test::kPassword}}, "", 201)
                                .value("token", "");
  Check("POST", "/api/v1/sessions",
        {{"handle", "carol"}, {"password", api_test::kPassword}, {"cookie", true}}, "", 201);
  Check("GET", "/api/v1/me", nullptr, ada_, 200);
  Check("PATCH", "/api/v1/me", {{"emails", {"ada@lab.org"}}, {"skills", {"CUDA"}}}, ada_, 200);
  Check("GET", "/api/v1/members?limit=2", nullptr, ada_, 200);
  Check("GET", "/api/v1/members/ada", nullptr, ada_, 200);
  Check("GET", "/api/v1/members/ada", nullptr, bob_, 200);
  const json token = Check("POST", "/api/v1/tokens", {{"name", "laptop"}}, ada_, 201);
  Check("GET", "/api/v1/tokens", nullptr, ada_, 200);
  Check("DELETE", "/api/v1/tokens/" + std::to_string(token.value("token_id", 0)), nullptr, ada_,
        200);

  // ---- ideas ----
  const json idea =
      Check("POST", "/api/v1/ideas", {{"title", "Sparse attention"}, {"pitch", "why"}}, ada_, 201);
  const std::string i = "/api/v1/ideas/" + std::to_string(idea.value("id", 0));
  Check("GET", "/api/v1/ideas?q=sparse", nullptr, bob_, 200);
  Check("GET", i, nullptr, bob_, 200);
  Check("PATCH", i, {{"title", "Sparse attention"}, {"pitch", "why, and how"}}, ada_, 200);
  Check("PATCH", i, {{"pitch", "mine now"}}, bob_, 403);
  Check("PUT", i + "/backing", nullptr, bob_, 200);
  Check("DELETE", i + "/backing", nullptr, bob_, 200);

  // ---- projects, memberships, tasks ----
  const json project =
      Check("POST", "/api/v1/projects",
            {{"idea_id", idea.value("id", 0)}, {"looking_for", {"CUDA"}}}, ada_, 201);
  const std::int64_t pid = project.value("id", 0);
  const std::string p = "/api/v1/projects/" + std::to_string(pid);
  Check("GET", "/api/v1/projects", nullptr, bob_, 200);
  Check("PATCH", p, {{"looking_for", {"evaluation"}}}, ada_, 200);
  Check("PUT", p + "/backing", nullptr, bob_, 200);
  Check("DELETE", p + "/backing", nullptr, bob_, 200);
  Check("POST", p + "/apply", {{"message", "I write kernels"}}, bob_, 200);
  // Bob's application waits for Ada's answer; the items are checked, not just the shell.
  const json inbox = Check("GET", "/api/v1/me/inbox", nullptr, ada_, 200);
  EXPECT_EQ(inbox["awaiting"]["total"], 1) << inbox.dump();
  EXPECT_EQ(Check("GET", "/api/v1/me/inbox", nullptr, bob_, 200)["asked"]["total"], 1);
  Check("POST", p + "/memberships/bob/accept", nullptr, ada_, 200);
  Check("POST", p + "/invitations/carol", {{"message", "join us"}}, ada_, 200);
  Check("POST", p + "/memberships/carol/decline", nullptr, carol, 200);
  Check("POST", p + "/apply", nullptr, steward_, 200);
  Check("POST", p + "/memberships/steward/withdraw", nullptr, steward_, 200);
  Check("GET", p, nullptr, bob_, 200);
  const json task = Check("POST", p + "/tasks", {{"title", "Write the kernel"}}, ada_, 201);
  const std::string t = "/api/v1/tasks/" + std::to_string(task.value("id", 0));
  Check("POST", t + "/claim", nullptr, bob_, 200);
  Check("POST", t + "/unclaim", nullptr, bob_, 200);
  Check("POST", t + "/claim", nullptr, bob_, 200);
  Check("POST", t + "/done", nullptr, bob_, 200);
  Check("GET", p + "/tasks", nullptr, ada_, 200);

  // ---- compute ----
  const json submit = {{"project_id", pid},
                       {"name", "train"},
                       {"gpus", 1},
                       {"time_limit_s", 3600},
                       {"workdir", dir_.path().string()},
                       {"env", {{"SEED", "1"}}},
                       {"argv", {"python", "train.py"}}};
  const std::int64_t job = Check("POST", "/api/v1/jobs", submit, ada_, 201).value("id", 0);
  json big = submit;
  big["gpus"] = 4;
  const std::int64_t waiting = Check("POST", "/api/v1/jobs", big, bob_, 201).value("id", 0);
  ASSERT_TRUE(compute_->Tick());
  executor_->Print(job, "step 1\n");
  const std::string j = "/api/v1/jobs/" + std::to_string(job);
  Check("GET", "/api/v1/queue", nullptr, ada_, 200);
  Check("GET", "/api/v1/cluster", nullptr, ada_, 200);
  Check("GET", "/api/v1/cluster/utilization?hours=2&buckets=4", nullptr, ada_, 200);
  // The events carry the bodies of GET /cluster and GET /jobs/{id}: the same schemas.
  const json events = Check("GET", "/api/v1/events?job=" + std::to_string(job), nullptr, ada_, 200);
  const auto clusters = Events(events.get<std::string>(), "cluster");
  const auto jobs = Events(events.get<std::string>(), "job");
  const auto logs = Events(events.get<std::string>(), "log");
  ASSERT_EQ(clusters.size(), 1u) << events;
  ASSERT_EQ(jobs.size(), 1u) << events;
  ASSERT_EQ(logs.size(), 1u) << events;
  EXPECT_EQ(validator_.Validate({{"$ref", "#/components/schemas/Cluster"}}, clusters[0]), "");
  EXPECT_EQ(validator_.Validate({{"$ref", "#/components/schemas/JobDetail"}}, jobs[0]), "");
  EXPECT_EQ(logs[0], json({{"text", "step 1\n"}}));
  Check("GET", j + "/logs?offset=0", nullptr, ada_, 200);
  Check("POST", "/api/v1/jobs/" + std::to_string(waiting) + "/cancel", nullptr, bob_, 200);
  executor_->Exit(job, 0, 0);
  clock_.Advance(60);
  ASSERT_TRUE(compute_->Tick());
  Check("POST", j + "/notes", {{"outcome", "negative"}, {"text", "no gain"}}, ada_, 201);
  Check("GET", j, nullptr, bob_, 200);
  Check("GET", "/api/v1/jobs?project=" + std::to_string(pid), nullptr, ada_, 200);
  Check("POST", p + "/boosts",
        {{"factor", 2.5}, {"expires_at", clock_.Now() + 3600}, {"reason", "promising"}}, steward_,
        201);
  Check("GET", "/api/v1/boosts", nullptr, ada_, 200);
  Check("GET", "/api/v1/cluster", nullptr, ada_, 200);

  // ---- the record ----
  Check("GET", "/api/v1/ledger/key", nullptr, "", 200);
  Check("GET", "/api/v1/ledger/kinds", nullptr, ada_, 200);
  const json thanks = Check("POST", "/api/v1/ledger/entries",
                            {{"contributor", "@bob"},
                             {"kind", "review"},
                             {"project_id", pid},
                             {"quantity", 1.5},
                             {"unit", "hours"},
                             {"evidence", "url:https://example.org/pr/1"},
                             {"note", "careful review"}},
                            ada_, 201);
  Check("GET", "/api/v1/ledger/entries/" + std::to_string(thanks.value("seq", 0)), nullptr, bob_,
        200);
  Check("GET", "/api/v1/ledger/entries?limit=3", nullptr, bob_, 200);
  Check("POST", "/api/v1/ledger/entries/" + std::to_string(thanks.value("seq", 0)) + "/confirm",
        {{"note", "I saw the review"}}, carol, 201);
  Check("POST", p + "/commits",
        {{"commits",
          {{{"sha", std::string(40, 'a')},
            {"author_name", "Ada"},
            {"author_email", "ada@lab.org"},
            {"at", clock_.Now() - 10},
            {"lines", 12},
            {"headline", "the kernel"}},
           {{"sha", std::string(40, 'b')},
            {"author_name", "Lin"},
            {"author_email", "lin@example.org"},
            {"at", clock_.Now() - 5},
            {"lines", 3},
            {"headline", "its tests"}}}}},
        ada_, 200);
  Check("POST", "/api/v1/me/identities", {{"email", "lin@example.org"}}, bob_, 202);
  Check("POST", "/api/v1/me/identities/confirm",
        {{"email", "lin@example.org"}, {"code", mailed_code_}}, bob_, 201);
  Check("GET", "/api/v1/members/bob/record", nullptr, ada_, 200);
  Check("GET", "/api/v1/members/carol/record", nullptr, ada_, 200);
  Check("GET", p + "/authors", nullptr, ada_, 200);
  Check("GET", p + "/authors?format=cff", nullptr, ada_, 200);
  Check("GET", p + "/authors?format=bibtex", nullptr, ada_, 200);
  const json cp = Check("GET", "/api/v1/ledger/checkpoint", nullptr, ada_, 200);
  const std::int64_t size = cp.value("tree_size", 0);
  ASSERT_GT(size, 2);
  Check("GET", "/api/v1/ledger/proof/inclusion?seq=2&tree_size=" + std::to_string(size), nullptr,
        ada_, 200);
  Check("GET", "/api/v1/ledger/proof/consistency?first=2", nullptr, ada_, 200);
  Check("GET", "/api/v1/ledger/export", nullptr, ada_, 200);
  Check("GET", "/api/v1/ledger/export?after=0&upto=2", nullptr, ada_, 200);

  // ---- rewards ----
  const json round = Check(
      "POST", "/api/v1/rewards/rounds",
      {{"title", "Winter"},
       {"pool_minor", 100000},
       {"currency", "EUR"},
       {"period_from", clock_.Now() - 86400},
       {"period_to", clock_.Now() + 86400},
       {"alpha", 0.5},
       {"weights",
        {{"review", {{"per_entry", 3}}}, {"software", {{"per_entry", 1}, {"per_unit", 0.5}}}}}},
      steward_, 201);
  const std::string r = "/api/v1/rewards/rounds/" + std::to_string(round.value("id", 0));
  Check("PUT", r + "/points",
        {{"points", json::array({{{"to", "bob"}, {"points", 40}, {"note", "debugging help"}}})}},
        ada_, 200);
  Check("GET", "/api/v1/rewards/rounds", nullptr, ada_, 200);
  Check("GET", r, nullptr, ada_, 200);
  Check("GET", r + "?format=csv", nullptr, ada_, 200);
  clock_.Advance(2 * 86400);
  Check("POST", r + "/close", nullptr, steward_, 200);
  Check("GET", r, nullptr, ada_, 200);

  // ---- the end of a session, and the error shape ----
  Check("POST", p + "/leave", nullptr, bob_, 200);
  Check("GET", "/api/v1/ideas/999", nullptr, ada_, 404);
  Check("POST", "/api/v1/ideas", {{"title", 1}}, ada_, 422);
  Check("GET", "/api/v1/me", nullptr, "qs_nothing", 401);

  // ---- passwords and sessions (these end Ada's and Bob's sessions) ----
  Check("GET", "/api/v1/members/ada/sessions", nullptr, ada_, 200);
  Check("GET", "/api/v1/members/ada/sessions", nullptr, bob_, 403);
  Check("POST", "/api/v1/me/password",
        {{"current_password", api_test::kPassword}, {"new_password", "a new long password"}}, ada_,
        200);
  Check("POST", "/api/v1/me/password",
        {{"current_password", "not it at all"}, {"new_password", "a third long password"}}, ada_,
        422);
  Check("POST", "/api/v1/password-resets", {{"handle", "ada"}}, "", 409);  // no mail here
  lab_->SetMailer(
      [](const std::string&, const std::string&, const std::string&) { return Status{}; });
  Check("POST", "/api/v1/password-resets", {{"handle", "ada"}}, "", 202);
  lab_->SetMailer({});
  Check("POST", "/api/v1/members/ada/password-reset", nullptr, bob_, 403);
  const json reset = Check("POST", "/api/v1/members/ada/password-reset", nullptr, steward_, 201);
  Check("POST", "/api/v1/password-resets/use",
        {{"handle", "ada"}, {"code", reset.value("code", "")}, {"new_password", "a long password"}},
        "", 200);
  Check("POST", "/api/v1/password-resets/use",
        {{"handle", "ada"}, {"code", reset.value("code", "")}, {"new_password", "a long password"}},
        "", 422);
  Check("DELETE", "/api/v1/members/steward/sessions", nullptr, bob_, 403);
  Check("DELETE", "/api/v1/members/bob/sessions", nullptr, steward_, 200);
  Check("DELETE", "/api/v1/sessions/current", nullptr, carol, 200);

  for (const auto& route : Api::Routes()) {
    EXPECT_TRUE(covered_.contains(route.method + " " + route.pattern))
        << route.method << " " << route.pattern << " has no successful row in this test";
  }
}

}  // namespace
}  // namespace qiusuo::http
