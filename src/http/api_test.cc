// The API through a real server on a loopback port the OS picks, with a real
// SQLite file behind it.
#include "http/api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "common/temp_dir.h"
#include "http/client.h"
#include "http/server.h"
#include "store/postgres/test_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo::http {
namespace {

using json = nlohmann::json;
constexpr const char* kPassword = "correct horse battery";

struct Reply {
  int status = 0;
  json body;
};

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Init());
    auto store = test_support::OpenTestStore(dir_);
    ASSERT_TRUE(store);
    store_ = std::move(*store);
    LabConfig config;
    config.password_cost = crypto::MinimumCost();
    lab_ = std::make_unique<Lab>(*store_, clock_, config);
    ASSERT_TRUE(lab_->Init("steward", kPassword, {}));
    api_ = std::make_unique<Api>(*lab_);
    ServerOptions options;
    options.port = 0;
    options.threads = 2;
    options.body_limit = 64 << 10;
    auto server = StartServer(options, [this](const Request& r) { return api_->Handle(r); });
    ASSERT_TRUE(server) << server.error().message;
    server_ = std::move(*server);
    base_ = "http://127.0.0.1:" + std::to_string(server_->port());
    ada_ = SignUpAndLogin("ada");
    bob_ = SignUpAndLogin("bob");
  }

  void TearDown() override { server_->Stop(); }

  Reply Call(const std::string& method, const std::string& target, const std::string& body = "",
             const std::string& token = "") {
    auto r = http::Call(base_, method, target, body, token);
    EXPECT_TRUE(r) << r.error().message;
    if (!r) return {};
    Reply out{r->status, json::parse(r->body, nullptr, false)};
    if (out.body.is_discarded()) out.body = r->body;
    return out;
  }
  Reply CallJ(const std::string& method, const std::string& target, const json& body,
              const std::string& token = "") {
    return Call(method, target, body.dump(), token);
  }

  std::string SignUpAndLogin(const std::string& handle) {
    auto created =
        CallJ("POST", "/api/v1/members",
              json{{"handle", handle}, {"password", kPassword}, {"name", handle + " X"}});
    EXPECT_EQ(created.status, 201) << created.body;
    auto session =
        CallJ("POST", "/api/v1/sessions", json{{"handle", handle}, {"password", kPassword}});
    EXPECT_EQ(session.status, 201) << session.body;
    return session.body.value("token", "");
  }

  static void ExpectError(const Reply& r, int status, const std::string& code,
                          const std::string& field = "") {
    EXPECT_EQ(r.status, status) << r.body;
    ASSERT_TRUE(r.body.is_object()) << r.body;
    ASSERT_TRUE(r.body.contains("error")) << r.body;
    EXPECT_EQ(r.body["error"]["code"], code) << r.body;
    EXPECT_FALSE(r.body["error"]["message"].get<std::string>().empty());
    if (!field.empty()) {
      EXPECT_EQ(r.body["error"]["field"], field) << r.body;
    }
  }

  // Every object the API returns has the schema's required keys and no others.
  static void ExpectSchema(const json& value, const std::string& schema_name) {
    const json doc = json::parse(OpenApiDocument());
    const json& schema = doc["components"]["schemas"][schema_name];
    ASSERT_TRUE(schema.is_object()) << schema_name;
    for (const auto& key : schema["required"]) {
      EXPECT_TRUE(value.contains(key.get<std::string>())) << schema_name << " lacks " << key;
    }
    for (const auto& [key, _] : value.items()) {
      EXPECT_TRUE(schema["properties"].contains(key)) << schema_name << " has no " << key;
    }
  }

  TempDir dir_;
  FakeClock clock_{1'790'000'000};
  std::unique_ptr<Store> store_;
  std::unique_ptr<Lab> lab_;
  std::unique_ptr<Api> api_;
  std::unique_ptr<Server> server_;
  std::string base_, ada_, bob_;
};

TEST_F(ApiTest, HealthAndOpenApiAreServedWithoutAuth) {
  auto health = http::Call(base_, "GET", "/healthz", "", "");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto doc = Call("GET", "/api/v1/openapi.json");
  EXPECT_EQ(doc.status, 200);
  EXPECT_EQ(doc.body["openapi"], "3.1.0");
}

TEST_F(ApiTest, OpenApiDocumentIsInStepWithTheRouter) {
  const json doc = json::parse(OpenApiDocument());
  std::set<std::string> documented, routed;
  for (const auto& [path, ops] : doc["paths"].items()) {
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      std::transform(m.begin(), m.end(), m.begin(), ::toupper);
      documented.insert(m + " " + path);
      // Public routes say so with an empty security list, and only they do.
      const bool is_public = op.contains("security") && op["security"].empty();
      for (const auto& route : Api::Routes()) {
        if (route.method == m && route.pattern == path) {
          EXPECT_EQ(is_public, !route.needs_auth) << m << " " << path;
        }
      }
    }
  }
  for (const auto& route : Api::Routes()) routed.insert(route.method + " " + route.pattern);
  EXPECT_EQ(documented, routed);
}

TEST_F(ApiTest, SignInAndWhoAmI) {
  auto me = Call("GET", "/api/v1/me", "", ada_);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["handle"], "ada");
  ExpectSchema(me.body, "Member");
  ExpectError(Call("GET", "/api/v1/me"), 401, "unauthenticated");
  ExpectError(Call("GET", "/api/v1/me", "", "qs_0000"), 401, "unauthenticated");
  ExpectError(
      CallJ("POST", "/api/v1/sessions", json{{"handle", "ada"}, {"password", "nope nope nope"}}),
      401, "unauthenticated");
}

TEST_F(ApiTest, LoginFailuresAreRateLimited) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    CallJ("POST", "/api/v1/sessions", json{{"handle", "bob"}, {"password", "wrong password"}});
  }
  ExpectError(CallJ("POST", "/api/v1/sessions", json{{"handle", "bob"}, {"password", kPassword}}),
              429, "resource_exhausted");
}

TEST_F(ApiTest, SignOutRevokesTheToken) {
  auto tokens = Call("GET", "/api/v1/tokens", "", ada_);
  ASSERT_EQ(tokens.status, 200);
  ASSERT_EQ(tokens.body["items"].size(), 1u);
  ExpectSchema(tokens.body["items"][0], "Token");
  EXPECT_TRUE(tokens.body["items"][0]["current"].get<bool>());
  // Bob cannot revoke Ada's token: it looks like it does not exist.
  const auto id = tokens.body["items"][0]["id"].get<std::int64_t>();
  ExpectError(Call("DELETE", "/api/v1/tokens/" + std::to_string(id), "", bob_), 404, "not_found");
  EXPECT_EQ(Call("DELETE", "/api/v1/sessions/current", "", ada_).status, 200);
  ExpectError(Call("GET", "/api/v1/me", "", ada_), 401, "unauthenticated");
}

TEST_F(ApiTest, IdeasPostListSearchBack) {
  auto posted = CallJ("POST", "/api/v1/ideas",
                      json{{"title", "Sparse attention"}, {"pitch", "# Why\nlong"}}, ada_);
  ASSERT_EQ(posted.status, 201) << posted.body;
  ExpectSchema(posted.body, "Idea");
  const std::string id = std::to_string(posted.body["id"].get<int>());
  auto backed = Call("PUT", "/api/v1/ideas/" + id + "/backing", "", bob_);
  ASSERT_EQ(backed.status, 200) << backed.body;
  EXPECT_EQ(backed.body["backers"], json::array({"bob"}));
  ExpectError(Call("PUT", "/api/v1/ideas/" + id + "/backing", "", ada_), 409,
              "failed_precondition");
  auto found = Call("GET", "/api/v1/ideas?q=sparse%20ATT", "", bob_);
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(found.body["items"].size(), 1u);
  ExpectSchema(found.body, "IdeaList");
  EXPECT_EQ(Call("DELETE", "/api/v1/ideas/" + id + "/backing", "", bob_).body["backer_count"], 0);
  ExpectError(Call("GET", "/api/v1/ideas/999", "", bob_), 404, "not_found");
  ExpectError(Call("GET", "/api/v1/ideas/abc", "", bob_), 404, "not_found");
}

TEST_F(ApiTest, PaginationFollowsTheCursor) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(
        CallJ("POST", "/api/v1/ideas", json{{"title", "idea " + std::to_string(i)}}, ada_).status,
        201);
  }
  std::vector<std::string> titles;
  std::string cursor;
  for (int pages = 0; pages < 10; ++pages) {
    auto page = Call("GET", "/api/v1/ideas?limit=2&cursor=" + cursor, "", ada_);
    ASSERT_EQ(page.status, 200);
    for (const auto& item : page.body["items"]) titles.push_back(item["title"]);
    if (page.body["next_cursor"].is_null()) break;
    cursor = page.body["next_cursor"];
  }
  EXPECT_EQ(titles, (std::vector<std::string>{"idea 4", "idea 3", "idea 2", "idea 1", "idea 0"}));
  ExpectError(Call("GET", "/api/v1/ideas?limit=0", "", ada_), 422, "invalid_argument", "limit");
  ExpectError(Call("GET", "/api/v1/ideas?limit=abc", "", ada_), 422, "invalid_argument", "limit");
  ExpectError(Call("GET", "/api/v1/ideas?cursor=-4", "", ada_), 422, "invalid_argument", "cursor");
}

TEST_F(ApiTest, BadInputIsRefusedClearlyAndChangesNothing) {
  ExpectError(Call("POST", "/api/v1/ideas", std::string("{\"title\": "), ada_), 400, "malformed");
  ExpectError(CallJ("POST", "/api/v1/ideas", json{{"title", 42}}, ada_), 422, "invalid_argument",
              "title");
  ExpectError(CallJ("POST", "/api/v1/ideas", json{{"title", "x"}, {"owner", "bob"}}, ada_), 422,
              "invalid_argument", "owner");
  ExpectError(CallJ("POST", "/api/v1/ideas", json::array({1, 2}), ada_), 422, "invalid_argument");
  ExpectError(CallJ("POST", "/api/v1/ideas", json{{"pitch", "no title"}}, ada_), 422,
              "invalid_argument", "title");
  ExpectError(CallJ("POST", "/api/v1/ideas", json{{"title", std::string(70 << 10, 'x')}}, ada_),
              413, "too_large");
  ExpectError(
      CallJ("POST", "/api/v1/members", json{{"handle", "Bad Handle"}, {"password", kPassword}}),
      422, "invalid_argument", "handle");
  ExpectError(CallJ("POST", "/api/v1/members", json{{"handle", "ada"}, {"password", kPassword}}),
              409, "already_exists", "handle");
  // A failed call has no "items", which would read as an empty list: check it is a list.
  auto ideas = Call("GET", "/api/v1/ideas", "", ada_);
  ASSERT_EQ(ideas.status, 200) << ideas.body;
  ASSERT_TRUE(ideas.body["items"].is_array()) << ideas.body;
  EXPECT_TRUE(ideas.body["items"].empty());
  // The same idea, well formed, goes in: the refusals above were the input's.
  ASSERT_EQ(CallJ("POST", "/api/v1/ideas", json{{"title", "x"}}, ada_).status, 201);
  EXPECT_EQ(Call("GET", "/api/v1/ideas", "", ada_).body["items"].size(), 1u);
  ExpectError(Call("GET", "/api/v1/nothing-here", "", ada_), 404, "not_found");
  auto wrong_method = Call("DELETE", "/api/v1/ideas", "", ada_);
  EXPECT_EQ(wrong_method.status, 405);
}

TEST_F(ApiTest, OversizedHeadersAreRefused) {
  auto r = http::Call(base_, "GET", "/api/v1/me", "", std::string(20 << 10, 'a'));
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 431);
}

TEST_F(ApiTest, ProjectsJoinByConsentThroughTheApi) {
  auto started =
      CallJ("POST", "/api/v1/projects",
            json{{"title", "Sparse attention"}, {"looking_for", {"CUDA kernels"}}}, ada_);
  ASSERT_EQ(started.status, 201) << started.body;
  ExpectSchema(started.body, "Project");
  const std::string p = "/api/v1/projects/" + std::to_string(started.body["id"].get<int>());
  EXPECT_EQ(started.body["members"], json::array({"ada"}));

  // Ada cannot put Bob on the project: there is no route for it, and invite needs his accept.
  ExpectError(CallJ("POST", p + "/apply", json{{"handle", "bob"}}, ada_), 422, "invalid_argument",
              "handle");
  auto invited = CallJ("POST", p + "/invitations/bob", json{{"message", "join us"}}, ada_);
  ASSERT_EQ(invited.status, 200) << invited.body;
  ExpectSchema(invited.body, "Membership");
  EXPECT_EQ(invited.body["state"], "invited");
  ExpectError(Call("POST", p + "/memberships/bob/accept", "", ada_), 403, "permission_denied");
  EXPECT_EQ(Call("GET", p, "", ada_).body["members"], json::array({"ada"}));
  auto accepted = Call("POST", p + "/memberships/bob/accept", "", bob_);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(Call("GET", p, "", ada_).body["members"], json::array({"ada", "bob"}));

  auto task = CallJ("POST", p + "/tasks", json{{"title", "Write the kernel"}}, ada_);
  ASSERT_EQ(task.status, 201) << task.body;
  ExpectSchema(task.body, "Task");
  const std::string t = "/api/v1/tasks/" + std::to_string(task.body["id"].get<int>());
  auto claimed = Call("POST", t + "/claim", "", bob_);
  ASSERT_EQ(claimed.status, 200);
  EXPECT_EQ(claimed.body["holder"], "bob");
  ExpectError(Call("POST", t + "/done", "", ada_), 403, "permission_denied");
  EXPECT_EQ(Call("POST", t + "/done", "", bob_).body["state"], "done");

  auto roles = CallJ("PATCH", p, json{{"looking_for", {"evaluation"}}}, bob_);
  EXPECT_EQ(roles.body["looking_for"], json::array({"evaluation"}));
  EXPECT_EQ(Call("POST", p + "/leave", "", ada_).body["state"], "left");
  auto listed = Call("GET", "/api/v1/projects", "", bob_);
  ExpectSchema(listed.body, "ProjectList");
  EXPECT_EQ(listed.body["items"][0]["members"], json::array({"bob"}));
}

TEST_F(ApiTest, MembersListHidesOthersEmails) {
  ASSERT_EQ(
      CallJ("PATCH", "/api/v1/me", json{{"emails", {"ada@lab.org"}}, {"skills", {"CUDA"}}}, ada_)
          .status,
      200);
  auto mine = Call("GET", "/api/v1/members/ada", "", ada_);
  EXPECT_EQ(mine.body["emails"], json::array({"ada@lab.org"}));
  auto theirs = Call("GET", "/api/v1/members/ada", "", bob_);
  EXPECT_FALSE(theirs.body.contains("emails"));
  EXPECT_EQ(theirs.body["skills"], json::array({"CUDA"}));
  ExpectError(CallJ("PATCH", "/api/v1/me", json{{"emails", {"not-an-email"}}}, ada_), 422,
              "invalid_argument", "emails");
}

}  // namespace
}  // namespace qiusuo::http
