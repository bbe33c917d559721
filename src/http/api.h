#pragma once
// The JSON API under /api/v1/: routes each request to one Lab function, turns its
// result or error into JSON. Every route but sign-up, sign-in, /healthz and the
// OpenAPI document needs a bearer token.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "service/citation.h"
#include "service/compute.h"
#include "service/identities.h"
#include "service/lab.h"
#include "service/record.h"
#include "service/rewards.h"

namespace qiusuo::http {

class WorkPool;

struct RouteInfo {
  std::string method;
  std::string pattern;  // "/api/v1/ideas/{id}"
  bool needs_auth = true;
};

class Api {
 public:
  // `compute` may be null (no executor): job routes then answer 503; so may the
  // record's services (`record`, `identities`, `rewards`).
  explicit Api(Lab& lab, Compute* compute = nullptr, Record* record = nullptr,
               Identities* identities = nullptr, Rewards* rewards = nullptr);
  ~Api();
  // Without a work pool (the default) every route runs on the calling thread. With
  // one, the slow routes (password hashing) run on `threads` threads of their own,
  // at most `queue_limit` waiting, beyond which they answer 503 with Retry-After;
  // Handle then answers them with a Response whose `later` the server calls. Call it
  // before the API serves requests.
  void UseWorkPool(int threads, std::size_t queue_limit);
  // Stops the work pool, dropping the requests that wait: call it once the HTTP
  // server has stopped and before it is destroyed.
  void StopWorkPool();
  Response Handle(const Request& request);
  // The routing table, for the OpenAPI document's test.
  static std::vector<RouteInfo> Routes();

 private:
  Lab& lab_;
  Compute* compute_;
  Record* record_;
  Identities* identities_;
  Rewards* rewards_;
  std::unique_ptr<WorkPool> pool_;
};

// The OpenAPI 3 document served at /api/v1/openapi.json (src/http/openapi.json).
std::string_view OpenApiDocument();

}  // namespace qiusuo::http
