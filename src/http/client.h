#pragma once
// A small blocking HTTP/1.1 client for the CLI and the tests.

#include <string>

#include "common/error.h"

namespace qiusuo::http {

struct ClientResponse {
  int status = 0;
  std::string body;
};

// `base_url` is "http://host:port". A server that cannot be reached is kUnavailable
// with a message that says where it looked.
Result<ClientResponse> Call(const std::string& base_url, const std::string& method,
                            const std::string& target, const std::string& body,
                            const std::string& token);

}  // namespace qiusuo::http
