// The server side's verbs: each is a thin call into server/.
#include "server/admin.h"

#include <iostream>

#include "cli/input.h"
#include "cli/verbs/verbs.h"
#include "server/server.h"

namespace qiusuo::cli {
namespace {

struct AdminOptions {
  server::InitOptions init;
  bool password_stdin = false;
  server::ServeOptions serve;
  std::string data = "var";  // backup, restore
  std::string backup_dir;
  std::string database;  // restore
  std::string migrate_from, migrate_to, migrate_data;
};

Status Init(server::InitOptions options, bool password_stdin) {
  if (password_stdin) options.password = QS_TRY(ReadPassword(true, ""));
  const server::InitReport report = QS_TRY(server::InitLab(options));
  std::cout << "Created a lab in " << options.data << " (database " << report.database
            << ", config " << report.config_path << ").\n"
            << "Steward: @" << report.steward << "\n";
  if (report.generated_password) {
    std::cout << "Steward password (shown once; keep it): " << *report.generated_password << "\n";
  }
  if (report.demo) {
    const DemoSummary& demo = *report.demo;
    std::cout << "Demo lab: " << demo.handles.size() << " members (";
    for (std::size_t i = 0; i < demo.handles.size(); ++i)
      std::cout << (i ? ", " : "") << "@" << demo.handles[i];
    std::cout << "), " << demo.ideas << " ideas, " << demo.projects << " projects, " << demo.tasks
              << " tasks. Demo members sign in with the password " << kDemoPassword << "\n";
  }
  std::cout << "Ledger key: " << report.key_path
            << " (keep it secret; back it up with the database). Public key: "
            << report.public_key_hex << "\n";
  std::cout << "Next: qiusuo serve --data " << options.data << "\n";
  return {};
}

}  // namespace

void AddAdminVerbs(CLI::App& app, Context& ctx) {
  AdminOptions& o = ctx.Keep<AdminOptions>();
  auto* init =
      app.add_subcommand("init", "create a lab: database, config and the first member (a steward)");
  init->add_option("--data", o.init.data, "directory for the lab's files")->capture_default_str();
  init->add_flag("--demo", o.init.demo,
                 "also create a small demo lab (members, ideas, projects, tasks)");
  init->add_option("--handle", o.init.handle, "the steward's handle")->capture_default_str();
  init->add_option("--database", o.init.database,
                   "keep the lab in this database: a postgresql:// URL (default: DIR/qiusuo.db, "
                   "or QIUSUO_DATABASE); written into DIR/qiusuo.toml");
  init->add_flag("--password-stdin", o.password_stdin,
                 "read the steward's password from stdin (else one is generated and printed once)");
  init->callback(ctx.RunLocal([&o] { return Init(o.init, o.password_stdin); }));

  auto* serve =
      app.add_subcommand("serve", "run the server: JSON API on HOST:PORT until SIGINT/SIGTERM");
  serve->add_option("--data", o.serve.data, "the lab's directory")->capture_default_str();
  serve->add_option(
      "--listen", o.serve.listen,
      "HOST:PORT (default from DIR/qiusuo.toml, else 127.0.0.1:8080; port 0 picks one)");
  serve->add_option("--threads", o.serve.threads, "HTTP threads (0: one per core)");
  serve->callback(ctx.RunLocal([&o] { return server::RunServer(o.serve); }));

  auto* backup = app.add_subcommand(
      "backup", "copy a lab (database, ledger key, config) while it runs, into a new directory");
  backup->add_option("--data", o.data, "the lab's directory")->capture_default_str();
  backup->add_option("--to", o.backup_dir, "a new directory for the backup")->required();
  backup->callback(ctx.RunLocal([&o] { return server::RunBackup(o.data, o.backup_dir); }));
  auto* restore = app.add_subcommand(
      "restore", "restore a backup into a new lab directory, checking the ledger's root");
  restore->add_option("--from", o.backup_dir, "the backup directory")->required();
  restore->add_option("--data", o.data, "a new directory for the lab")->capture_default_str();
  restore->add_option("--database", o.database,
                      "restore into this empty PostgreSQL database (postgresql:// URL; default: "
                      "QIUSUO_DATABASE, else DIR/qiusuo.db)");
  restore->callback(
      ctx.RunLocal([&o] { return server::RunRestore(o.data, o.backup_dir, o.database); }));
  auto* migrate = app.add_subcommand(
      "migrate",
      "copy a lab to another database (SQLite to PostgreSQL, ...), checking counts and the "
      "ledger's root on both sides");
  migrate
      ->add_option("--from", o.migrate_from, "the lab's database: sqlite:PATH or postgresql://...")
      ->required();
  migrate->add_option("--to", o.migrate_to, "an empty database: postgresql://... or sqlite:PATH")
      ->required();
  migrate->add_option("--data", o.migrate_data,
                      "also point DIR/qiusuo.toml at the new database once the copy checks out");
  migrate->callback(ctx.RunLocal(
      [&o] { return server::RunMigrate(o.migrate_from, o.migrate_to, o.migrate_data); }));
}

}  // namespace qiusuo::cli
