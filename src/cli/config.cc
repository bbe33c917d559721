// The one place that includes toml++.
#include "cli/config.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

namespace qiusuo::cli {
namespace fs = std::filesystem;

std::string ClientConfigPath() {
  if (const char* p = std::getenv("QIUSUO_CONFIG"); p && *p) return p;
  if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) {
    return (fs::path(x) / "qiusuo" / "config.toml").string();
  }
  const char* home = std::getenv("HOME");
  return (fs::path(home ? home : ".") / ".config" / "qiusuo" / "config.toml").string();
}

Result<ClientConfig> LoadClientConfig(const std::string& path) {
  ClientConfig out;
  if (!fs::exists(path)) return out;
  try {
    const auto table = toml::parse_file(path);
    out.server = table["server"].value_or(std::string());
    out.token = table["token"].value_or(std::string());
  } catch (const toml::parse_error& e) {
    return InvalidArgument("config", path + " is not valid TOML: " + std::string(e.description()) +
                                         "; fix or delete it");
  }
  return out;
}

Status SaveClientConfig(const std::string& path, const ClientConfig& config) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    if (!f) return Fail(ErrorCode::kInternal, "cannot write " + tmp);
    toml::table table;
    if (!config.server.empty()) table.insert("server", config.server);
    if (!config.token.empty()) table.insert("token", config.token);
    f << "# qiusuo client configuration (holds your token: keep it private)\n" << table << "\n";
  }
  ::chmod(tmp.c_str(), 0600);
  fs::rename(tmp, path, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot write " + path + ": " + ec.message());
  return {};
}

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  ServerConfig out;
  if (!fs::exists(path)) return out;
  try {
    const auto table = toml::parse_file(path);
    out.listen = table["listen"].value_or(out.listen);
    const std::string signup = table["signup"].value_or(std::string("open"));
    if (signup != "open" && signup != "invite") {
      return InvalidArgument("signup",
                             path + ": signup is \"open\" or \"invite\", not \"" + signup + "\"");
    }
    out.open_signup = signup == "open";
    out.threads = table["threads"].value_or(0);
    out.body_limit = table["body_limit"].value_or(static_cast<std::int64_t>(out.body_limit));
    out.virtual_gpus = table["virtual_gpus"].value_or(out.virtual_gpus);
    out.min_runtime_s =
        table["min_runtime_s"].value_or(static_cast<std::int64_t>(out.min_runtime_s));
    out.grace_s = table["grace_s"].value_or(static_cast<std::int64_t>(out.grace_s));
    out.starvation_wait_s =
        table["starvation_wait_s"].value_or(static_cast<std::int64_t>(out.starvation_wait_s));
    out.mail_command = table["mail_command"].value_or(std::string());
    out.database = table["database"].value_or(std::string());
    out.web_root = table["web_root"].value_or(std::string());
    out.database_pool = table["database_pool"].value_or(out.database_pool);
    if (out.database_pool < 1 || out.database_pool > 1000) {
      return InvalidArgument("database_pool", path + ": database_pool is 1 to 1000 connections");
    }
    out.scheduler_interval_ms = table["scheduler_interval_ms"].value_or(
        static_cast<std::int64_t>(out.scheduler_interval_ms));
    if (out.virtual_gpus < 1 || out.min_runtime_s < 0 || out.grace_s < 0 ||
        out.starvation_wait_s < 0 || out.scheduler_interval_ms < 10) {
      return InvalidArgument("config",
                             path +
                                 ": virtual_gpus >= 1, min_runtime_s >= 0, grace_s >= 0, "
                                 "starvation_wait_s >= 0 and scheduler_interval_ms >= 10");
    }
  } catch (const toml::parse_error& e) {
    return InvalidArgument("config", path + " is not valid TOML: " + std::string(e.description()));
  }
  return out;
}

namespace {
constexpr const char* kDatabaseComment =
    R"(# The database. Empty: DIR/qiusuo.db, one SQLite file (the default). A URL such as
# "postgresql://qiusuo@db.lab:5432/qiusuo" keeps the lab in PostgreSQL; put its
# password in ~/.pgpass or PGPASSWORD rather than here. QIUSUO_DATABASE overrides
# this line. `qiusuo migrate` moves a lab from one database to another.
)";

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}
}  // namespace

Status SetConfigDatabase(const std::string& path, const std::string& database) {
  std::ifstream in(path);
  if (!in) return Fail(ErrorCode::kUnavailable, "cannot read " + path);
  std::string text;
  bool replaced = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("database =") || line.starts_with("database=")) {
      line = "database = " + TomlString(database);
      replaced = true;
    }
    text += line + "\n";
  }
  if (!replaced)
    text += std::string("\n") + kDatabaseComment + "database = " + TomlString(database) + "\n";
  std::ofstream out(path + ".tmp", std::ios::trunc);
  out << text;
  out.close();
  if (!out || std::rename((path + ".tmp").c_str(), path.c_str()) != 0)
    return Fail(ErrorCode::kUnavailable, "cannot write " + path);
  return {};
}

Status WriteDefaultServerConfig(const std::string& path, const std::string& database) {
  std::ofstream f(path, std::ios::trunc);
  if (!f) return Fail(ErrorCode::kInternal, "cannot write " + path);
  f << R"(# Qiusuo server configuration. `qiusuo serve --data DIR` reads DIR/qiusuo.toml.

)" << kDatabaseComment
    << "database = " << TomlString(database) << R"(
# Connections each server keeps to PostgreSQL.
database_pool = 8

# Where the server listens; --listen overrides it.
listen = "127.0.0.1:8080"

# "open": anyone who can reach the server may sign up.
# "invite": sign-up needs a one-time code a member makes with `qiusuo signup-invite`.
signup = "open"

# The web UI's files (web/dist of the source, built by `make web`). Empty: found next
# to the qiusuo binary, or in the source tree it was built from.
web_root = ""

# Threads serving HTTP; 0 means one per core.
threads = 0

# Largest request body accepted, in bytes (larger ones get 413).
body_limit = 1048576

# Jobs. GPUs are found with nvidia-smi; without any, jobs get this many virtual slots.
virtual_gpus = 8
# A running job is never preempted before this many seconds.
min_runtime_s = 600
# A preempted or cancelled job gets SIGTERM, then this many seconds, then SIGKILL.
grace_s = 30
# A job next in line that has waited this long may preempt borrowing jobs that have no
# time limit, even when it asks for more than its project's share.
starvation_wait_s = 3600
# The scheduler also runs on every submit, finish, cancel and boost.
scheduler_interval_ms = 1000

# Mail, for proving the emails of identities found in imported history: a command
# that reads a message ("To:", "Subject:", a blank line, the body) on stdin, like
# "/usr/sbin/sendmail -t". Empty: the lab sends no mail.
mail_command = ""
)";
  return {};
}

Result<std::vector<std::pair<std::string, std::string>>> LoadRewardWeights(
    const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgument("weights", path + ": " + std::string(e.description()));
  }
  std::vector<std::pair<std::string, std::string>> out;
  auto number = [](const toml::node* n) -> std::optional<double> {
    if (!n) return std::nullopt;
    return n->value<double>();
  };
  for (const auto& [key, node] : table) {
    const std::string kind(key.str());
    std::optional<double> per_entry = number(&node);
    std::optional<double> per_unit = 0.0;
    if (const auto* list = node.as_array()) {
      per_entry = list->size() == 2 ? number(list->get(0)) : std::nullopt;
      per_unit = list->size() == 2 ? number(list->get(1)) : std::nullopt;
    }
    if (!per_entry || !per_unit) {
      std::string why = path;
      why.append(": ").append(kind).append(" is a number, or [per entry, per unit]");
      return InvalidArgument("weights", why);
    }
    std::ostringstream text;
    text << *per_entry << "," << *per_unit;
    out.emplace_back(kind, text.str());
  }
  return out;
}

}  // namespace qiusuo::cli
