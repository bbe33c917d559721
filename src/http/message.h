#pragma once
// Plain HTTP request and response values: what the API sees of HTTP. Beast stays in
// server.cc and client.cc.

#include <cstdint>
#include <functional>
#include <map>
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
  std::string content_type;
  std::string remote;  // the peer's address
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<Response(const Request&)>;

// Splits "/a/b?x=1&y=%20" into a decoded path and query map. False on bad escapes.
bool ParseTarget(std::string_view target, std::string& path,
                 std::map<std::string, std::string>& query);
std::string UrlEncode(std::string_view s);

}  // namespace qiusuo::http
