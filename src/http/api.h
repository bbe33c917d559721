#pragma once
// The JSON API under /api/v1/: routes each request to one Lab function, turns its
// result or error into JSON. Every route but sign-up, sign-in, /healthz and the
// OpenAPI document needs a bearer token.

#include <string>
#include <string_view>
#include <vector>

#include "http/message.h"
#include "service/compute.h"
#include "service/lab.h"
#include "service/record.h"

namespace qiusuo::http {

struct RouteInfo {
  std::string method;
  std::string pattern;  // "/api/v1/ideas/{id}"
  bool needs_auth = true;
};

class Api {
 public:
  // `compute` may be null (no executor): job routes then answer 503; so may `ledger`.
  explicit Api(Lab& lab, Compute* compute = nullptr, Ledger* ledger = nullptr);
  Response Handle(const Request& request);
  // The routing table, for the OpenAPI document's test.
  static std::vector<RouteInfo> Routes();

 private:
  Lab& lab_;
  Compute* compute_;
  Ledger* ledger_;
};

// The OpenAPI 3 document served at /api/v1/openapi.json (src/http/openapi.json).
std::string_view OpenApiDocument();

}  // namespace qiusuo::http
