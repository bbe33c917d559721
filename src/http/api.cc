#include "http/api.h"

#include <spdlog/spdlog.h>

#include <exception>
#include <span>

#include "common/embedded.h"
#include "http/json_writer.h"
#include "http/route.h"
#include "http/views.h"
#include "http/work_pool.h"

namespace qiusuo::embedded {
std::span<const EmbeddedFile> OpenApiFiles();
}

namespace qiusuo::http {

namespace {

// Every route, area after area.
const std::vector<Route>& AllRoutes() {
  static const std::vector<Route> routes = [] {
    std::vector<Route> all;
    for (auto area : {AccountRoutes, IdeaRoutes, ProjectRoutes, JobRoutes, EventRoutes,
                      LedgerRoutes, RewardRoutes}) {
      auto routes = area();
      all.insert(all.end(), routes.begin(), routes.end());
    }
    return all;
  }();
  return routes;
}

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

// The one place an error becomes an HTTP status and the one error shape,
// {"error": {"code", "field", "message"}}.
Response ErrorResponse(const Error& e);

// What the client is told of the server's own failure: that it failed and the
// request's id, which finds the details in the log. Never the details themselves (an
// exception's what(), a database error, a path).
Response InternalError(const Request& req) {
  return ErrorResponse({ErrorCode::kInternal,
                        "the server failed; see its log (request " + req.request_id + ")",
                        {}});
}

// The answer to a request that failed with `e`: the server's own failure (a 500) is
// logged and answered with InternalError, anything else as it is.
Response Failed(const Request& req, std::string_view route, const Error& e) {
  if (HttpStatusFor(e.code) != 500) return ErrorResponse(e);
  spdlog::error("{} {} ({}, request {}) failed: {}", req.method, route, req.path, req.request_id,
                e.message);
  return InternalError(req);
}

Response ErrorResponse(const Error& e) {
  JsonWriter w;
  w.BeginObject()
      .Key("error")
      .BeginObject()
      .Field("code", ErrorCodeName(e.code))
      .Field("field", ValidUtf8(e.field))
      .Field("message", ValidUtf8(e.message))
      .EndObject()
      .EndObject();
  Response r{HttpStatusFor(e.code), "application/json", w.Take(), {}};
  if (e.code == ErrorCode::kUnauthenticated) r.headers.emplace_back("WWW-Authenticate", "Bearer");
  return r;
}

// Runs a route's function: the one place a handler's failure becomes an answer.
Response RunRoute(Lab& lab, const Route& route, const Ctx& ctx) {
  const Request& req = ctx.req;
  try {
    auto reply = route.fn(lab, ctx);
    if (!reply) return Failed(req, route.pattern, reply.error());
    return {reply->status, std::move(reply->content_type), std::move(reply->body),
            std::move(reply->headers), std::move(reply->stream)};
  } catch (const std::exception& e) {
    // Our bug or a library's: the log gets what happened, the client a generic answer.
    // Method, route, path and request id; never the body, the query or a header,
    // which may carry passwords and tokens.
    spdlog::error("{} {} ({}, request {}) threw: {}", req.method, route.pattern, req.path,
                  req.request_id, e.what());
  } catch (...) {
    spdlog::error("{} {} ({}, request {}) threw a non-standard exception", req.method,
                  route.pattern, req.path, req.request_id);
  }
  return InternalError(req);
}

}  // namespace

Api::~Api() { StopWorkPool(); }

void Api::UseWorkPool(int threads, std::size_t queue_limit) {
  StopWorkPool();
  if (threads > 0) pool_ = std::make_unique<WorkPool>(threads, queue_limit);
}

void Api::StopWorkPool() {
  if (pool_) pool_->Stop();
}

Api::Api(Lab& lab, Compute* compute, Record* record, Identities* identities, Rewards* rewards)
    : lab_(lab), compute_(compute), record_(record), identities_(identities), rewards_(rewards) {}

std::vector<RouteInfo> Api::Routes() {
  std::vector<RouteInfo> out;
  for (const auto& r : AllRoutes())
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
  for (const auto& route : AllRoutes()) {
    if (!Match(route.pattern, req.path, params)) continue;
    if (route.method != req.method) {
      allowed += (allowed.empty() ? "" : ", ") + std::string(route.method);
      continue;
    }
    Ctx ctx{req, {}, params, compute_, record_, identities_, rewards_, this};
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
      if (!caller) return Failed(req, route.pattern, caller.error());
      ctx.caller = *caller;
    }
    if (!route.slow || !pool_) return RunRoute(lab_, route, ctx);
    Response deferred;
    deferred.later = [this, &route, req, params,
                      caller = ctx.caller](const std::function<void(Response)>& deliver) {
      std::function<void()> task = [this, &route, req, params, caller, deliver] {
        const Ctx ctx{req, caller, params, compute_, record_, identities_, rewards_, this};
        deliver(RunRoute(lab_, route, ctx));
      };
      if (pool_->TrySubmit(task)) return;
      Response busy = ErrorResponse({ErrorCode::kUnavailable,
                                     "the server is busy checking passwords; try again shortly",
                                     {}});
      busy.headers.emplace_back("Retry-After", "1");
      deliver(std::move(busy));
    };
    return deferred;
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
