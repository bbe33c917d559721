// The client's side of toml++ (server/config.cc reads the server's file).
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
    out.client = table["client"].value_or(std::string());
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
    if (!config.client.empty()) table.insert("client", config.client);
    f << "# qiusuo client configuration (holds your token: keep it private)\n" << table << "\n";
  }
  ::chmod(tmp.c_str(), 0600);
  fs::rename(tmp, path, ec);
  if (ec) return Fail(ErrorCode::kInternal, "cannot write " + path + ": " + ec.message());
  return {};
}

Result<std::vector<KindWeight>> LoadRewardWeights(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return InvalidArgument("weights", path + ": " + std::string(e.description()));
  }
  std::vector<KindWeight> out;
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
    out.push_back({kind, *per_entry, *per_unit});
  }
  return out;
}

}  // namespace qiusuo::cli
