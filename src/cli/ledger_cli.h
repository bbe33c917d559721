#pragma once
// The ledger's verbs: ledger export/verify/log/kinds, thank, profile, authors, rewards.

#include <CLI/CLI.hpp>
#include <functional>

#include "cli/client.h"

namespace qiusuo::cli {

// `run` wraps a client verb (loads the config first and keeps its status); `out`
// prints JSON with --json, else calls the human printer.
using RunFn = std::function<std::function<void()>(std::function<Status()>)>;
using OutFn = std::function<void(const json&, const std::function<void(const json&)>&)>;

void AddLedgerCommands(CLI::App& app, Client& client, const RunFn& run, const OutFn& out,
                       Status& result);

}  // namespace qiusuo::cli
