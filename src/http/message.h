#pragma once
// Plain HTTP request and response values: what the API sees of HTTP. Beast stays in
// server.cc and client.cc.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace qiusuo::http {

struct Request {
  std::string method;                        // "GET", "POST", ...
  std::string path;                          // decoded path without the query
  std::map<std::string, std::string> query;  // decoded query parameters
  std::string body;
  std::string authorization;  // the Authorization header, as sent
  std::string cookie;         // the Cookie header, as sent
  std::string csrf;           // the X-CSRF-Token header
  std::string last_event_id;  // the Last-Event-ID header of a reconnecting event stream
  bool https = false;         // X-Forwarded-Proto: https (a TLS proxy in front)
  std::string content_type;
  std::string remote;      // the peer's address
  std::string request_id;  // unique in this process; in the log and the X-Request-Id header
};

// A response that stays open: server-sent events (text/event-stream). The server
// calls Next() every `interval` and sends what it returns (nothing when empty), and
// a comment now and then to notice a client that went away, until Next() says done.
class EventStream {
 public:
  virtual ~EventStream() = default;
  struct Chunk {
    std::string data;
    bool done = false;
    // There is more to send right away (a long output read a bounded piece at a
    // time): the server calls Next again once `data` is written, not after `interval`.
    // Waiting for the write is what keeps a slow reader from piling data up.
    bool more = false;
  };
  virtual Chunk Next() = 0;
  std::chrono::milliseconds interval{1000};
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  // Sent as they are; a name may repeat (Set-Cookie).
  std::vector<std::pair<std::string, std::string>> headers;
  std::shared_ptr<EventStream> stream;  // set: an event stream instead of `body`
  // Set: the answer comes later, from another thread (a slow route on the API's work
  // pool). The server calls `later` once, at once, with a function that takes the
  // answer, which may be called from any thread, exactly once; the connection waits.
  std::function<void(std::function<void(Response)>)> later;
};

// The value of cookie `name` in a Cookie header, or empty.
std::string CookieValue(std::string_view header, std::string_view name);

using Handler = std::function<Response(const Request&)>;

// Splits "/a/b?x=1&y=%20" into a decoded path and query map. False on bad escapes.
bool ParseTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string>& query);
std::string UrlEncode(std::string_view s);

}  // namespace qiusuo::http
