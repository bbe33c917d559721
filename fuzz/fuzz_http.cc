// The request path: each input is one request handed to the real Api dispatch (routing,
// authentication, the JSON bodies of every route), over a whole lab on SQLite with a
// fake clock and a fake executor. The input is readable text, so seeds are requests:
//
//   POST /api/v1/ideas?x=1        the method and the target (path and query)
//   as: ada                       optional: the caller (ada, bob or steward); else nobody
//   csrf: ...                     optional, as are cookie: and last-event-id:
//                                 a blank line, then the body, to the end
//   {"title": "Sparse attention"}
//
// Ada's idea 1, project 1 (Bob applied), task 1, job 1 (running) and round 1 exist
// before the first input, so paths with ids reach the handlers' depths. A 5xx answer
// other than 503 (no such service) is a bug: the target aborts on it.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "crypto/crypto.h"
#include "exec/fake/fake_executor.h"
#include "http/api.h"
#include "service/compute.h"
#include "service/identities.h"
#include "service/lab.h"
#include "service/record.h"
#include "service/rewards.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using namespace qiusuo;
constexpr const char* kPassword = "correct horse battery";

struct World {
  std::filesystem::path dir;
  FakeClock clock{1'790'000'000};
  std::unique_ptr<Store> store;
  std::unique_ptr<Lab> lab;
  std::unique_ptr<FakeExecutor> executor;
  std::unique_ptr<Compute> compute;
  std::unique_ptr<Record> record;
  std::unique_ptr<Identities> identities;
  std::unique_ptr<Rewards> rewards;
  std::unique_ptr<http::Api> api;
  Caller callers[3];      // ada, bob, steward
  std::string tokens[3];  // theirs
};

World* world = nullptr;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "fuzz_http setup: %s\n", what.c_str());
  std::abort();
}

http::Response Send(const std::string& method, const std::string& target, std::string body,
                    const std::string& token) {
  http::Request r;
  r.method = method;
  if (!http::ParseTarget(target, r.path, r.query)) Die("bad target " + target);
  r.body = std::move(body);
  r.authorization = token.empty() ? "" : "Bearer " + token;
  r.remote = "127.0.0.1";
  return world->api->Handle(r);
}

void MustSend(const std::string& method, const std::string& target, std::string body,
              const std::string& token) {
  auto got = Send(method, target, std::move(body), token);
  if (got.status / 100 != 2) Die(method + " " + target + ": " + got.body);
}

std::string SignIn(const char* handle) {
  auto issued = world->lab->Login(handle, kPassword, "127.0.0.1");
  if (!issued) Die(std::string("login ") + handle + ": " + issued.error().message);
  return issued->token;
}

void Build() {
  world = new World;
  char tmpl[] = "/tmp/qiusuo-fuzz-http-XXXXXX";
  if (!mkdtemp(tmpl)) Die("mkdtemp");
  world->dir = tmpl;
  std::atexit([] { std::filesystem::remove_all(world->dir); });
  if (!crypto::Init()) Die("crypto");
  auto store = OpenSqliteStore({(world->dir / "lab.db").string()});
  if (!store) Die(store.error().message);
  world->store = std::move(*store);
  LabConfig config;
  config.password_cost = crypto::MinimumCost();
  World& w = *world;
  w.lab = std::make_unique<Lab>(*w.store, w.clock, config);
  if (!w.lab->Init("steward", kPassword, {})) Die("init");
  for (const char* handle : {"ada", "bob"}) {
    if (!w.lab->SignUp({handle, kPassword, {}, {}})) Die("sign-up");
  }
  std::filesystem::create_directories(w.dir / "logs");
  w.executor = std::make_unique<FakeExecutor>(4, (w.dir / "logs").string());
  ComputeConfig compute_config;
  compute_config.grace_s = 1;
  w.compute = std::make_unique<Compute>(*w.store, w.clock, *w.executor, compute_config);
  w.record = std::make_unique<Record>(*w.store, w.clock, crypto::NewSigningKey());
  w.rewards = std::make_unique<Rewards>(*w.store, w.clock);
  w.identities = std::make_unique<Identities>(
      *w.store, w.clock,
      [](const std::string&, const std::string&, const std::string&) -> Status { return {}; });
  w.api = std::make_unique<http::Api>(*w.lab, w.compute.get(), w.record.get(), w.identities.get(),
                                      w.rewards.get());
  const char* handles[] = {"ada", "bob", "steward"};
  for (int who = 0; who < 3; ++who) {
    w.tokens[who] = SignIn(handles[who]);
    auto caller = w.lab->Authenticate(w.tokens[who]);
    if (!caller) Die("authenticate");
    w.callers[who] = *caller;
  }
  const std::string& ada = w.tokens[0];
  MustSend("POST", "/api/v1/ideas", R"({"title": "Sparse attention", "pitch": "why"})", ada);
  MustSend("POST", "/api/v1/projects", R"({"idea_id": 1})", ada);
  MustSend("POST", "/api/v1/projects/1/apply", "", w.tokens[1]);
  MustSend("POST", "/api/v1/projects/1/tasks", R"({"title": "Write the kernel"})", ada);
  MustSend("POST", "/api/v1/jobs",
           R"({"project_id": 1, "name": "train", "gpus": 1, "time_limit_s": 3600, "workdir": ")" +
               w.dir.string() + R"(", "argv": ["python", "train.py"]})",
           ada);
  if (!w.compute->Tick()) Die("tick");
  w.executor->Print(1, "step 1\n");
  MustSend("POST", "/api/v1/ledger/entries",
           R"({"contributor": "@bob", "kind": "review", "project_id": 1, "note": "careful"})", ada);
  MustSend("POST", "/api/v1/rewards/rounds",
           R"({"title": "Winter", "pool_minor": 100000, "currency": "EUR", "period_from": )" +
               std::to_string(w.clock.Now() - 86400) + R"(, "period_to": )" +
               std::to_string(w.clock.Now() + 86400) +
               R"(, "alpha": 0.5, "weights": {"review": {"per_entry": 3}}})",
           w.tokens[2]);
}

// The next line of `in` (without its '\n'), consumed.
std::string_view Line(std::string_view& in) {
  const auto end = in.find('\n');
  const std::string_view line = in.substr(0, end);
  in.remove_prefix(end == std::string_view::npos ? in.size() : end + 1);
  return line;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Build();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string_view first = Line(in);
  const auto space = first.find(' ');
  if (space == std::string_view::npos) return -1;  // not a request: not kept in the corpus
  http::Request req;
  req.method = std::string(first.substr(0, space));
  if (!http::ParseTarget(first.substr(space + 1), req.path, req.query)) return 0;
  req.remote = "127.0.0.1";
  for (std::string_view line = Line(in); !line.empty(); line = Line(in)) {
    const auto colon = line.find(": ");
    if (colon == std::string_view::npos) break;
    const std::string_view name = line.substr(0, colon), value = line.substr(colon + 2);
    if (name == "as") {
      const int who = value == "ada" ? 0 : value == "bob" ? 1 : value == "steward" ? 2 : -1;
      if (who >= 0) req.authorization = "Bearer " + world->tokens[who];
    } else if (name == "authorization") {
      req.authorization = value;
    } else if (name == "cookie") {
      req.cookie = value;
    } else if (name == "csrf") {
      req.csrf = value;
    } else if (name == "last-event-id") {
      req.last_event_id = value;
    } else if (name == "content-type") {
      req.content_type = value;
    }
  }
  req.body = std::string(in);
  const http::Response got = world->api->Handle(req);
  if (got.status >= 500 && got.status != 503) {
    std::fprintf(stderr, "%s %s answered %d: %s\n", req.method.c_str(), req.path.c_str(),
                 got.status, got.body.c_str());
    std::abort();
  }
  if (got.stream) (void)got.stream->Next();
  // A request that ended a session (sign-out, a revoked token) must not end the
  // next inputs' callers too. A new API token, not a sign-in: an input may have changed
  // the password or used up the sign-in attempts.
  for (int who = 0; who < 3; ++who) {
    if (world->lab->Authenticate(world->tokens[who])) continue;
    auto issued = world->lab->CreateToken(world->callers[who], "fuzz");
    if (!issued) Die("a new token: " + issued.error().message);
    world->tokens[who] = issued->token;
  }
  return 0;
}
