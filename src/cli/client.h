#pragma once
// The CLI's side of the HTTP API: where the server is, the token, and calls.

#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/config.h"
#include "common/error.h"
#include "http/client.h"

namespace qiusuo::cli {

using json = nlohmann::json;

struct Globals {
  std::string server;
  bool json = false;
};

// ---- talking to the server ------------------------------------------------------

class Client {
 public:
  explicit Client(const Globals& g) : globals_(g) {}

  Status Load() {
    config_path_ = ClientConfigPath();
    config_ = QS_TRY(LoadClientConfig(config_path_));
    return {};
  }

  std::string Server() const {
    if (!globals_.server.empty()) return globals_.server;
    if (const char* s = std::getenv("QIUSUO_SERVER"); s && *s) return s;
    if (!config_.server.empty()) return config_.server;
    return kDefaultServer;
  }

  std::string Token() const {
    if (const char* t = std::getenv("QIUSUO_TOKEN"); t && *t) return t;
    return config_.token;
  }

  Result<json> Call(const std::string& method, const std::string& target,
                    const json& body = nullptr) {
    auto r = http::Call(Server(), method, target, body.is_null() ? "" : body.dump(), Token());
    if (!r) return std::unexpected(r.error());
    json doc = json::parse(r->body, nullptr, false);
    if (r->status >= 400) {
      if (doc.is_object() && doc.contains("error")) {
        const auto& e = doc["error"];
        return std::unexpected(Error{ErrorCodeFromName(e.value("code", "internal")),
                                     e.value("message", ""), e.value("field", "")});
      }
      return Fail(ErrorCode::kInternal, "the server answered " + std::to_string(r->status));
    }
    if (doc.is_discarded()) return Internal("the server sent something that is not JSON");
    return doc;
  }

  // A route that answers text (CSV, JSON Lines, CITATION.cff), as it comes.
  Result<std::string> CallText(const std::string& method, const std::string& target) {
    auto r = http::Call(Server(), method, target, "", Token());
    if (!r) return std::unexpected(r.error());
    if (r->status >= 400) {
      json doc = json::parse(r->body, nullptr, false);
      if (doc.is_object() && doc.contains("error")) {
        const auto& e = doc["error"];
        return std::unexpected(Error{ErrorCodeFromName(e.value("code", "internal")),
                                     e.value("message", ""), e.value("field", "")});
      }
      return Fail(ErrorCode::kInternal, "the server answered " + std::to_string(r->status));
    }
    return std::move(r->body);
  }

  // The known-client secret this machine got when it last signed in, or empty.
  const std::string& KnownClient() const { return config_.client; }

  // `client`: the known-client secret the sign-in returned; empty keeps the one saved.
  Status SaveLogin(const std::string& token, const std::string& client = "") {
    ClientConfig updated = config_;
    updated.server = Server();
    updated.token = token;
    if (!client.empty()) updated.client = client;
    QS_TRY_STATUS(SaveClientConfig(config_path_, updated));
    config_ = updated;
    return {};
  }

  const std::string& config_path() const { return config_path_; }

 private:
  const Globals& globals_;
  std::string config_path_;
  ClientConfig config_;
};

}  // namespace qiusuo::cli
