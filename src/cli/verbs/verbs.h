#pragma once
// The CLI's verbs, one file per area of the product. Each function adds its area's
// subcommands to `app`; their callbacks run against `ctx` after parsing.

#include <CLI/CLI.hpp>

#include "cli/context.h"

namespace qiusuo::cli {

void AddAdminVerbs(CLI::App& app, Context& ctx);     // init, serve, backup, restore, migrate
void AddAccountVerbs(CLI::App& app, Context& ctx);   // signup, login, logout, whoami, token...
void AddMemberVerbs(CLI::App& app, Context& ctx);    // member list/show/edit
void AddIdeaVerbs(CLI::App& app, Context& ctx);      // idea ...
void AddProjectVerbs(CLI::App& app, Context& ctx);   // project ... (joining by consent)
void AddTaskVerbs(CLI::App& app, Context& ctx);      // task ... (claimed, never assigned)
void AddJobVerbs(CLI::App& app, Context& ctx);       // submit, queue, job, logs, cancel
void AddClusterVerbs(CLI::App& app, Context& ctx);   // cluster, boost, boosts
void AddLedgerVerbs(CLI::App& app, Context& ctx);    // ledger, thank, profile, authors, import,
                                                     // identity
void AddRewardVerbs(CLI::App& app, Context& ctx);    // rewards ...
void AddSimulateVerbs(CLI::App& app, Context& ctx);  // simulate

// A listing the API pages with cursors, followed page after page (200 at a time) to
// its end, or until it holds `max` items (0: no bound): {"items": [...],
// "next_cursor": where it stopped, or null}. `target` has no limit or cursor yet.
inline Result<json> AllPages(Client& client, const std::string& target, std::size_t max = 0) {
  json out = {{"items", json::array()}, {"next_cursor", nullptr}};
  const char joiner = target.find('?') == std::string::npos ? '?' : '&';
  std::string cursor;
  while (true) {
    const json page = QS_TRY(client.Call(
        "GET", target + joiner + "limit=200" + (cursor.empty() ? "" : "&cursor=" + cursor)));
    for (const auto& item : page["items"]) {
      if (max > 0 && out["items"].size() >= max) {
        // Every paged list's cursor is the id of the last item shown.
        out["next_cursor"] = std::to_string(out["items"].back()["id"].get<std::int64_t>());
        return out;
      }
      out["items"].push_back(item);
    }
    if (page["next_cursor"].is_null()) return out;
    cursor = page["next_cursor"].get<std::string>();
  }
}

}  // namespace qiusuo::cli
