#pragma once
// What a route of the JSON API is: a method, a path pattern, whether it needs a
// signed-in caller, and a function from the request to a reply or an error. The
// per-area tables live in routes/*.cc; api.cc matches, authenticates and maps errors.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/error.h"
#include "http/message.h"
#include "service/citation.h"
#include "service/compute.h"
#include "service/identities.h"
#include "service/lab.h"
#include "service/record.h"
#include "service/rewards.h"

namespace qiusuo::http {

class Api;

// A route's successful answer; errors travel as Result's Error and become
// {"error": ...} in one place (api.cc).
struct Reply {
  int status = 200;
  std::string body;  // JSON text, unless content_type says otherwise
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<EventStream> stream;
};

// What a handler sees of its request.
struct Ctx {
  const Request& req;
  Caller caller;                    // empty for routes that need no auth
  std::vector<std::string> params;  // the {…} segments of the route, in order
  Compute* compute = nullptr;       // null: this server runs no jobs
  Record* record = nullptr;         // null: this server keeps no ledger (nor the next two)
  Identities* identities = nullptr;
  Rewards* rewards = nullptr;
  Api* api = nullptr;
};

using RouteFn = Result<Reply> (*)(Lab&, const Ctx&);

struct Route {
  std::string_view method;
  std::string_view pattern;  // "/api/v1/ideas/{id}"
  bool needs_auth;
  RouteFn fn;
  // Slow by design (Argon2id password hashing): run on the API's work pool, when it
  // has one, rather than on an HTTP thread.
  bool slow = false;
};

// The tables, one per area of the product (routes/<area>.cc). Within one path the
// order of methods is the order the Allow header of a 405 lists them in.
std::vector<Route> AccountRoutes();  // sign-up, sessions, profile, members, tokens
std::vector<Route> IdeaRoutes();
std::vector<Route> ProjectRoutes();  // projects, memberships, tasks
std::vector<Route> JobRoutes();      // jobs, queue, cluster, boosts
std::vector<Route> LedgerRoutes();   // entries, proofs, records, authors, identities
std::vector<Route> RewardRoutes();
std::vector<Route> EventRoutes();

// A positive id from a path segment; anything else is a thing that does not exist.
Result<std::int64_t> IdParam(const std::string& text, const char* what);
// ?limit=1..200&cursor=<next_cursor>.
Result<Page> PageParams(const Request& req);
// The integer query parameter `key`, or `fallback` when absent or empty.
Result<std::int64_t> IntQuery(const Request& req, const char* key, std::int64_t fallback);

// Browser sessions: the token lives in an HttpOnly cookie that scripts cannot read,
// and every state-changing request must carry X-CSRF-Token, a value derived from the
// token that only a page of this origin can know (from the sign-in reply, or the
// readable qs_csrf cookie, which other sites cannot read).
inline constexpr const char* kSessionCookie = "qs_session";
inline constexpr const char* kCsrfCookie = "qs_csrf";
// The browser's known-client secret (see Lab::Login), sent to the sign-in route only.
inline constexpr const char* kClientCookie = "qs_client";
std::string CsrfFor(std::string_view token);

Result<Compute*> NeedCompute(const Ctx& c);
Result<Record*> NeedRecord(const Ctx& c);
Result<Identities*> NeedIdentities(const Ctx& c);
Result<Rewards*> NeedRewards(const Ctx& c);

}  // namespace qiusuo::http
