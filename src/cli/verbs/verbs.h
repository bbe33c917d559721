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

}  // namespace qiusuo::cli
