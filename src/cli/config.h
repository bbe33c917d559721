#pragma once
// The client's configuration file (server URL and token): $QIUSUO_CONFIG, else
// $XDG_CONFIG_HOME/qiusuo/config.toml, else ~/.config/qiusuo/config.toml. And the
// reward weights file `rewards open --weights` reads.

#include <string>
#include <utility>
#include <vector>

#include "cli/parse.h"
#include "common/error.h"

namespace qiusuo::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8080";

struct ClientConfig {
  std::string server;
  std::string token;
  // This machine's known-client secret for signing in (see POST /api/v1/sessions).
  std::string client;
};

std::string ClientConfigPath();
// A missing file is an empty config; a malformed one is an error naming the file.
Result<ClientConfig> LoadClientConfig(const std::string& path);
// Written with mode 0600: it holds a token.
Status SaveClientConfig(const std::string& path, const ClientConfig& config);

// A reward weights file (docs/reward-weights.toml): kind = per_entry, or
// kind = [per_entry, per_unit].
Result<std::vector<KindWeight>> LoadRewardWeights(const std::string& path);

}  // namespace qiusuo::cli
