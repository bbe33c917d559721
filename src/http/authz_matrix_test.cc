// Who may do what: every route of src/http/openapi.json, called by four callers
// (nobody signed in, an unrelated member, the member who owns or belongs to the
// object, the steward) against a real server on the test store, each answer checked
// against the committed table tests/authz-matrix.tsv. A route of the document
// without a row there fails, naming the route and the line to add; so does a row
// whose route the document no longer has.
//
// Each cell gets fresh objects: a fixture (below) builds what the route acts on, owned
// by Ada, so one caller's success (a cancel, a leave) does not change another's answer.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "http/api.h"
#include "http/api_test_lab.h"

namespace qiusuo::http {
namespace {

using json = nlohmann::json;

constexpr const char* kMatrixPath = QIUSUO_SOURCE_DIR "/tests/authz-matrix.tsv";
constexpr const char* kMatrixName = "tests/authz-matrix.tsv";

// The callers, in the table's column order.
enum class Who { kAnonymous, kStranger, kOwner, kSteward };
constexpr Who kCallers[] = {Who::kAnonymous, Who::kStranger, Who::kOwner, Who::kSteward};
const char* Name(Who who) {
  switch (who) {
    case Who::kAnonymous:
      return "anonymous";
    case Who::kStranger:
      return "stranger";
    case Who::kOwner:
      return "owner";
    case Who::kSteward:
      return "steward";
  }
  return "?";
}

struct Row {
  int line = 0;
  std::string method, pattern;
  int want[4] = {};
  std::string fixture, query, body;  // query and body: "-" for none
};

std::vector<std::string> SplitTabs(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

// "$name" replaced by vars["name"] (longest names first, so $id does not eat $idea).
std::string Substitute(std::string text, const std::map<std::string, std::string>& vars) {
  std::vector<std::string> names;
  for (const auto& [name, _] : vars) names.push_back(name);
  std::sort(names.begin(), names.end(),
            [](const auto& a, const auto& b) { return a.size() > b.size(); });
  for (const auto& name : names) {
    const std::string key = "$" + name;
    for (auto at = text.find(key); at != std::string::npos; at = text.find(key, at))
      text.replace(at, key.size(), vars.at(name)), at += vars.at(name).size();
  }
  return text;
}

class AuthzMatrixTest : public api_test::FullLabTest {
 protected:
  using Vars = std::map<std::string, std::string>;

  // Who may call what, not how often: the limits per member (tested in
  // paging_limits_test.cc) must not stop the hundreds of objects the cells make.
  void Configure(LabConfig& config) override {
    config.limits.ideas_per_hour = config.limits.projects_per_hour = 100000;
    config.limits.entries_per_hour = config.limits.pending_jobs = 100000;
    config.signups_per_remote = 100000;
  }

  // The fixtures a row may name: each builds fresh objects (owned by Ada, "the owner")
  // and returns the names a row's path ({id}, {handle}, {seq}), query and body use.
  // Every cell also has $n (a number unique to the cell), $sha (40 hex digits, unique),
  // $yesterday, $now, $later (an hour on), $tomorrow (Unix seconds) and $workdir.
  std::map<std::string, std::function<void(Vars&)>> Fixtures() {
    return {
        {"none", [](Vars&) {}},
        {"member", [](Vars& v) { v["handle"] = "ada"; }},
        {"token",
         [&](Vars& v) {
           v["id"] = Id(Must("POST", "/api/v1/tokens", {{"name", "t" + v["n"]}}, ada_), "token_id");
         }},
        {"idea", [&](Vars& v) { v["id"] = NewIdea(v, ada_); }},
        {"idea-backed",
         [&](Vars& v) {
           // Ada's idea, backed by Bob and the steward (an author cannot back her own).
           v["id"] = NewIdea(v, ada_);
           for (const auto* token : {&bob_, &steward_})
             Must("PUT", "/api/v1/ideas/" + v["id"] + "/backing", nullptr, *token);
         }},
        {"project", [&](Vars& v) { v["id"] = v["project"] = NewProject(v, ada_); }},
        {"project-backed",  // Ada's project, backed by Bob and the steward (not members)
         [&](Vars& v) {
           v["id"] = NewProject(v, ada_);
           for (const auto* token : {&bob_, &steward_})
             Must("PUT", "/api/v1/projects/" + v["id"] + "/backing", nullptr, *token);
         }},
        {"others-project",  // Carol's project, Ada not on it (apply)
         [&](Vars& v) { v["id"] = NewProject(v, carol_); }},
        {"project-applicant",  // Ada's project, Carol applied (accept, decline)
         [&](Vars& v) {
           v["id"] = NewProject(v, ada_);
           v["handle"] = "carol";
           Must("POST", "/api/v1/projects/" + v["id"] + "/apply", nullptr, carol_);
         }},
        {"project-invitee",  // Ada's project; Carol, not on it, may be invited
         [&](Vars& v) {
           v["id"] = NewProject(v, ada_);
           v["handle"] = "carol";
         }},
        {"applied-by-owner",  // Carol's project, Ada applied (withdraw her application)
         [&](Vars& v) {
           v["id"] = NewProject(v, carol_);
           v["handle"] = "ada";
           Must("POST", "/api/v1/projects/" + v["id"] + "/apply", nullptr, ada_);
         }},
        {"joined-by-owner",  // Carol's project, Ada a member (leave)
         [&](Vars& v) {
           v["id"] = NewProject(v, carol_);
           Must("POST", "/api/v1/projects/" + v["id"] + "/apply", nullptr, ada_);
           Must("POST", "/api/v1/projects/" + v["id"] + "/memberships/ada/accept", nullptr, carol_);
         }},
        {"task",
         [&](Vars& v) {
           const auto project = NewProject(v, ada_);
           v["id"] =
               Id(Must("POST", "/api/v1/projects/" + project + "/tasks", {{"title", "k"}}, ada_));
         }},
        {"task-claimed",  // claimed by Ada
         [&](Vars& v) {
           const auto project = NewProject(v, ada_);
           v["id"] =
               Id(Must("POST", "/api/v1/projects/" + project + "/tasks", {{"title", "k"}}, ada_));
           Must("POST", "/api/v1/tasks/" + v["id"] + "/claim", nullptr, ada_);
         }},
        {"job",  // Ada's job, running, with a line of log
         [&](Vars& v) {
           v["project"] = NewProject(v, ada_);
           v["id"] = Id(Must("POST", "/api/v1/jobs", Job(v), ada_));
           EXPECT_TRUE(compute_->Tick());
           executor_->Print(std::stoll(v["id"]), "step 1\n");
         }},
        {"entry",  // a thank from Ada to Bob; $seq, and $size the tree's size after it
         [&](Vars& v) {
           v["project"] = NewProject(v, ada_);
           v["seq"] = Id(Must("POST", "/api/v1/ledger/entries",
                              {{"contributor", "@bob"},
                               {"kind", "review"},
                               {"project_id", Num(v["project"])},
                               {"note", "careful review"}},
                              ada_),
                         "seq");
           v["size"] = Id(Must("GET", "/api/v1/ledger/checkpoint", nullptr, ada_), "tree_size");
         }},
        {"entry-self",  // Ada's record of her own work ($seq), for others to confirm
         [&](Vars& v) {
           v["project"] = NewProject(v, ada_);
           v["seq"] = Id(Must("POST", "/api/v1/ledger/entries",
                              {{"contributor", "@ada"},
                               {"kind", "software"},
                               {"project_id", Num(v["project"])},
                               {"note", "wrote the data loader"}},
                              ada_),
                         "seq");
         }},
        {"fresh-member",  // a member made for this cell alone, none of the callers ($handle):
                          // ending their sessions or issuing their reset code harms no caller
         [&](Vars& v) {
           v["handle"] = "m" + v["n"];
           SignUpRequest req;
           req.handle = v["handle"];
           req.password = api_test::kPassword;
           req.profile.name = "M";
           auto m = lab_->SignUp(req);
           ASSERT_TRUE(m) << m.error().message;
         }},
        {"round",  // an open round the steward started
         [&](Vars& v) { v["id"] = NewRound(v, clock_.Now() + 86400); }},
        {"round-ended",  // a round whose period is over, not yet closed
         [&](Vars& v) { v["id"] = NewRound(v, clock_.Now() - 1); }},
        {"identity-claim",  // Ada claimed an address; $email and the mailed $code
         [&](Vars& v) {
           v["email"] = "ada" + v["n"] + "@example.org";
           Must("POST", "/api/v1/me/identities", {{"email", v["email"]}}, ada_, 202);
           v["code"] = mailed_code_;
         }},
    };
  }

  json Must(const std::string& method, const std::string& target, const json& body,
            const std::string& token, int want = 0) {
    auto r = Call(method, target, body.is_null() ? "" : body.dump(), token);
    if (want ? r.status != want : r.status / 100 != 2)
      ADD_FAILURE() << "fixture: " << method << " " << target << " answered " << r.status << ": "
                    << r.text;
    return r.body;
  }
  static std::string Id(const json& body, const char* key = "id") {
    return body.is_object() ? std::to_string(body.value(key, std::int64_t{0})) : "0";
  }
  static std::int64_t Num(const std::string& s) { return std::stoll(s); }
  std::string NewIdea(Vars& v, const std::string& token) {
    return Id(
        Must("POST", "/api/v1/ideas", {{"title", "Idea " + v["n"]}, {"pitch", "why"}}, token));
  }
  std::string NewProject(Vars& v, const std::string& token) {
    return Id(Must("POST", "/api/v1/projects", {{"idea_id", Num(NewIdea(v, token))}}, token));
  }
  std::string NewRound(Vars&, std::int64_t period_to) {
    return Id(Must("POST", "/api/v1/rewards/rounds",
                   {{"title", "Round"},
                    {"pool_minor", 1000},
                    {"currency", "EUR"},
                    {"period_from", clock_.Now() - 86400},
                    {"period_to", period_to},
                    {"alpha", 0.5},
                    {"weights", {{"review", {{"per_entry", 1}}}}}},
                   steward_));
  }
  json Job(Vars& v) {
    return {
        {"project_id", Num(v["project"])}, {"name", "train"}, {"gpus", 1}, {"time_limit_s", 3600},
        {"workdir", dir_.path().string()}, {"argv", {"true"}}};
  }

  // The table, or a failure naming what is wrong with it.
  std::vector<Row> ReadMatrix() {
    std::ifstream in(kMatrixPath);
    EXPECT_TRUE(in) << "cannot read " << kMatrixPath;
    std::vector<Row> rows;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
      if (line.empty() || line.starts_with('#')) continue;
      const auto cells = SplitTabs(line);
      if (cells.size() != 9) {
        ADD_FAILURE() << kMatrixName << ":" << number << ": " << cells.size()
                      << " tab-separated cells, want 9 (METHOD PATH anonymous stranger owner "
                         "steward FIXTURE QUERY BODY)";
        continue;
      }
      Row row{number, cells[0], cells[1], {}, cells[6], cells[7], cells[8]};
      for (int col = 0; col < 4; ++col) row.want[col] = std::atoi(cells[2 + col].c_str());
      rows.push_back(row);
    }
    return rows;
  }

  // Sends one cell's request; the status it got.
  int Send(const Row& row, Who who, const Vars& vars, bool stream) {
    std::string path = row.pattern;
    for (auto open = path.find('{'); open != std::string::npos; open = path.find('{')) {
      const auto close = path.find('}', open);
      const std::string name = path.substr(open + 1, close - open - 1);
      const auto value = vars.find(name);
      EXPECT_NE(value, vars.end()) << kMatrixName << ":" << row.line << ": fixture " << row.fixture
                                   << " gives no {" << name << "}";
      path.replace(open, close - open + 1, value == vars.end() ? "0" : value->second);
    }
    const std::string query = row.query == "-" ? "" : Substitute(row.query, vars);
    const std::string body = row.body == "-" ? "" : Substitute(row.body, vars);
    const std::string token = who == Who::kStranger  ? bob_
                              : who == Who::kOwner   ? ada_
                              : who == Who::kSteward ? steward_
                                                     : "";
    if (stream) {
      // An event stream stays open: its status is read in-process.
      Request req;
      req.method = row.method;
      std::string ignored;
      req.path = path;
      if (!query.empty()) {
        EXPECT_TRUE(ParseTarget(path + "?" + query, ignored, req.query)) << query;
      }
      req.body = body;
      if (!token.empty()) req.authorization = "Bearer " + token;
      return api_->Handle(req).status;
    }
    return Call(row.method, path + (query.empty() ? "" : "?" + query), body, token).status;
  }

  // A caller whose session a cell ended (DELETE /sessions/current) signs in again.
  void KeepSignedIn() {
    for (auto [token, handle] : {std::pair{&ada_, "ada"}, {&bob_, "bob"}, {&steward_, "steward"}}) {
      if (Call("GET", "/api/v1/me", "", *token).status == 401) *token = Login(handle);
    }
  }

  std::string carol_;
};

TEST_F(AuthzMatrixTest, EveryRouteAnswersEachCallerAsTheTableSays) {
  carol_ = SignUpAndLogin("carol");
  const json doc = json::parse(OpenApiDocument());
  const std::vector<Row> rows = ReadMatrix();
  auto fixtures = Fixtures();
  std::string fixture_names;
  for (const auto& [name, _] : fixtures) fixture_names += " " + name;

  // Every route of the document has one row, and every row one route.
  std::set<std::string> routes, seen;
  std::map<std::string, bool> streams;  // route -> answers with an event stream
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      routes.insert(upper + " " + path);
      const json responses = op.value("responses", json::object());
      for (const auto& [_, response] : responses.items()) {
        if (response.value("content", json::object()).contains("text/event-stream"))
          streams[upper + " " + path] = true;
      }
    }
  }
  for (const auto& row : rows) {
    const std::string route = row.method + " " + row.pattern;
    EXPECT_TRUE(routes.contains(route))
        << kMatrixName << ":" << row.line << ": " << route
        << " is not a route of src/http/openapi.json; delete the row (or fix its METHOD/PATH)";
    EXPECT_TRUE(seen.insert(route).second)
        << kMatrixName << ":" << row.line << ": " << route << " has a row already";
    EXPECT_TRUE(fixtures.contains(row.fixture))
        << kMatrixName << ":" << row.line << ": no fixture \"" << row.fixture
        << "\"; the fixtures (AuthzMatrixTest::Fixtures in src/http/authz_matrix_test.cc):"
        << fixture_names;
  }
  for (const auto& route : routes) {
    const auto space = route.find(' ');
    EXPECT_TRUE(seen.contains(route))
        << route << " is in src/http/openapi.json but has no row in " << kMatrixName
        << ". Add one line, tab-separated, saying who may call it:\n  " << route.substr(0, space)
        << "\t" << route.substr(space + 1)
        << "\t<anonymous>\t<stranger>\t<owner>\t<steward>\t<fixture>\t<query or ->\t<body or ->\n"
        << "with the status each caller gets; the fixture builds what it acts on (one of:"
        << fixture_names << "; add one in AuthzMatrixTest::Fixtures, "
        << "src/http/authz_matrix_test.cc, if none fits). The header of " << kMatrixName
        << " says what the columns mean.";
  }

  // Each cell on fresh objects; every difference listed, with the row as it answered.
  int counter = 0;
  for (const auto& row : rows) {
    if (!fixtures.contains(row.fixture) || !routes.contains(row.method + " " + row.pattern))
      continue;
    int got[4];
    for (int col = 0; col < 4; ++col) {
      ++counter;
      std::string sha = std::to_string(counter);
      sha.insert(0, 40 - sha.size(), 'a');
      Vars vars{{"n", std::to_string(counter)},
                {"sha", sha},
                {"yesterday", std::to_string(clock_.Now() - 86400)},
                {"now", std::to_string(clock_.Now())},
                {"later", std::to_string(clock_.Now() + 3600)},
                {"tomorrow", std::to_string(clock_.Now() + 86400)},
                {"workdir", dir_.path().string()}};
      fixtures[row.fixture](vars);
      got[col] = Send(row, kCallers[col], vars, streams[row.method + " " + row.pattern]);
      KeepSignedIn();
    }
    if (!std::equal(got, got + 4, row.want)) {
      std::ostringstream message;
      message << kMatrixName << ":" << row.line << ": " << row.method << " " << row.pattern
              << " answered otherwise:\n";
      for (int col = 0; col < 4; ++col) {
        message << "  " << Name(kCallers[col]) << ": want " << row.want[col] << ", got " << got[col]
                << (got[col] == row.want[col] ? "" : "   <--") << "\n";
      }
      message << "If the new answers are the rule you mean, the row is:\n  " << row.method << "\t"
              << row.pattern;
      for (int status : got) message << "\t" << status;
      message << "\t" << row.fixture << "\t" << row.query << "\t" << row.body;
      ADD_FAILURE() << message.str();
    }
  }
}

}  // namespace
}  // namespace qiusuo::http
