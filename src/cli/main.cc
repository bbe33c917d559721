// `qiusuo`: the lab's command line. `serve` and `init` run the server side (through
// server/); every other verb is a client of the HTTP API, like `gh`. The verbs live in
// cli/verbs/, one file per area.
#include <CLI/CLI.hpp>
#include <csignal>
#include <exception>
#include <iostream>
#include <string>

#include "cli/config.h"
#include "cli/context.h"
#include "cli/parse.h"
#include "cli/verbs/verbs.h"

namespace qiusuo::cli {
namespace {

constexpr int kExitUsage = 2;

int Main(int argc, char** argv) {
  // Process-wide, before any thread starts: a peer that goes away mid-write (a mail
  // command, a client of `serve`, a reader of our output) is an EPIPE where it
  // happens, never a silent death by signal (exit 141). Output that can no longer be
  // written ends the command below.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{
      "qiusuo: a bottom-up research lab. Post ideas, start and join projects by consent,\n"
      "claim tasks. Exit codes: 0 ok, 1 failed, 2 usage, 3 not allowed, 4 not found,\n"
      "5 server unreachable."};
  app.require_subcommand(1);
  app.fallthrough();  // global flags (--json, --server) may follow the verb, as with gh
  app.set_version_flag("--version", "qiusuo 0.1.0");
  Context ctx;
  app.add_option("--server", ctx.globals().server,
                 "server URL (default: QIUSUO_SERVER, the config file, then " +
                     std::string(kDefaultServer) + ")");
  app.add_flag("--json", ctx.globals().json, "print the API's JSON instead of tables");

  AddAdminVerbs(app, ctx);
  AddAccountVerbs(app, ctx);
  AddMemberVerbs(app, ctx);
  AddIdeaVerbs(app, ctx);
  AddProjectVerbs(app, ctx);
  AddTaskVerbs(app, ctx);
  AddJobVerbs(app, ctx);
  AddClusterVerbs(app, ctx);
  AddLedgerVerbs(app, ctx);
  AddRewardVerbs(app, ctx);
  AddSimulateVerbs(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  } catch (const std::exception& e) {
    // Our bug (a value nobody checked): an error that says so, not an abort (exit 134).
    std::cerr << "qiusuo: internal error: " << e.what() << "\n";
    return 1;
  }
  if (const Status& result = ctx.result(); !result) {
    const Error& e = result.error();
    std::cerr << "qiusuo: " << e.message;
    if (!e.field.empty() && e.message.find(e.field) == std::string::npos)
      std::cerr << " (field: " << e.field << ")";
    std::cerr << "\n";
    // A bad #QIUSUO line in a job script is a usage error, like a bad flag.
    if (e.code == ErrorCode::kInvalidArgument && e.field == kScriptField) return kExitUsage;
    return ExitCodeFor(e.code);
  }
  return 0;
}

}  // namespace
}  // namespace qiusuo::cli

int main(int argc, char** argv) { return qiusuo::cli::Main(argc, argv); }
