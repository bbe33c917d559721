#pragma once
// Configuration files. The client's (server URL and token) lives in
// $QIUSUO_CONFIG, else $XDG_CONFIG_HOME/qiusuo/config.toml, else
// ~/.config/qiusuo/config.toml. The server's lives in <data>/qiusuo.toml.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/error.h"

namespace qiusuo::cli {

inline constexpr const char* kDefaultServer = "http://127.0.0.1:8080";

struct ClientConfig {
  std::string server;
  std::string token;
};

std::string ClientConfigPath();
// A missing file is an empty config; a malformed one is an error naming the file.
Result<ClientConfig> LoadClientConfig(const std::string& path);
// Written with mode 0600: it holds a token.
Status SaveClientConfig(const std::string& path, const ClientConfig& config);

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  bool open_signup = true;
  int threads = 0;
  std::size_t body_limit = 1 << 20;
  int virtual_gpus = 8;           // GPU slots when nvidia-smi finds no GPU
  long min_runtime_s = 600;       // no preemption of a run younger than this
  long starvation_wait_s = 3600;  // then the job next in line may preempt unlimited borrowers
  long grace_s = 30;              // a preempted or cancelled job's time to exit
  long scheduler_interval_ms = 1000;
  // Sends one email given as a message on stdin ("To:", "Subject:", a blank line, the
  // body), as `sendmail -t` reads it; empty: the lab sends no mail.
  std::string mail_command;
  // The database: empty for DIR/qiusuo.db (SQLite), or a postgresql:// URL.
  std::string database;
  int database_pool = 8;  // connections each server keeps (PostgreSQL)
  std::string web_root;   // the web UI's files; empty: found next to the binary
};

Result<ServerConfig> LoadServerConfig(const std::string& path);
// `database`: the line to write, empty for the SQLite default.
Status WriteDefaultServerConfig(const std::string& path, const std::string& database = "");
// Points an existing config file at another database, keeping everything else.
Status SetConfigDatabase(const std::string& path, const std::string& database);

// A reward weights file (docs/reward-weights.toml): kind = per_entry, or
// kind = [per_entry, per_unit]; as the API takes them, "per_entry[,per_unit]".
Result<std::vector<std::pair<std::string, std::string>>> LoadRewardWeights(const std::string& path);

}  // namespace qiusuo::cli
