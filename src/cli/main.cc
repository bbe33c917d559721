// `qiusuo`: the lab's command line. `serve` and `init` run the server side; every
// other verb is a client of the HTTP API, like `gh`.
#include <spdlog/spdlog.h>
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli/client.h"
#include "cli/config.h"
#include "cli/lab_admin.h"
#include "cli/ledger_cli.h"
#include "cli/simulate.h"
#include "cli/table.h"
#include "crypto/crypto.h"
#include "exec/local/local_executor.h"
#include "http/api.h"
#include "http/client.h"
#include "http/message.h"
#include "http/server.h"
#include "http/static_files.h"
#include "ledger/merkle.h"
#include "service/compute.h"
#include "service/demo.h"
#include "service/lab.h"
#include "service/record.h"
#include "store/open.h"

namespace qiusuo::cli {
namespace {

using json = nlohmann::json;
namespace fs = std::filesystem;

constexpr int kExitUsage = 2;

// ---- small helpers ------------------------------------------------------------

std::string Join(const json& array, const char* sep = ", ") {
  std::string out;
  for (const auto& item : array) {
    if (!out.empty()) out += sep;
    out += item.is_string() ? item.get<std::string>() : item.dump();
  }
  return out;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

std::string Fixed1(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

std::string Date(const json& t) { return t.is_string() ? t.get<std::string>().substr(0, 10) : ""; }

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream f(path == "-" ? "/dev/stdin" : path);
  if (!f) return InvalidArgument("file", "cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

// A password from stdin (--password-stdin) or typed at the terminal without echo.
Result<std::string> ReadPassword(bool from_stdin, const std::string& prompt) {
  std::string password;
  if (from_stdin || !isatty(STDIN_FILENO)) {
    if (!std::getline(std::cin, password)) {
      return InvalidArgument("password", "no password on standard input");
    }
    return password;
  }
  std::cerr << prompt << std::flush;
  termios old{};
  tcgetattr(STDIN_FILENO, &old);
  termios quiet = old;
  quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
  tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  std::getline(std::cin, password);
  tcsetattr(STDIN_FILENO, TCSANOW, &old);
  std::cerr << "\n";
  return password;
}

std::string Ask(const std::string& prompt) {
  std::cerr << prompt << std::flush;
  std::string line;
  std::getline(std::cin, line);
  return line;
}

// ---- printing -------------------------------------------------------------------

void PrintIdeas(const json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& i : list["items"]) {
    rows.push_back({std::to_string(i["id"].get<std::int64_t>()), i["title"],
                    "@" + i["author"].get<std::string>(),
                    std::to_string(i["backer_count"].get<int>()), Date(i["created_at"])});
  }
  if (rows.empty()) {
    std::cout << "No ideas yet. Post one: qiusuo idea post --title \"...\"\n";
    return;
  }
  PrintTable(std::cout, {"ID", "TITLE", "AUTHOR", "BACKERS", "POSTED"}, rows);
  if (!list["next_cursor"].is_null()) {
    std::cout << "(more: --cursor " << list["next_cursor"].get<std::string>() << ")\n";
  }
}

void PrintIdea(const json& i) {
  std::cout << "#" << i["id"] << "  " << i["title"].get<std::string>() << "\n"
            << "by @" << i["author"].get<std::string>() << " on " << Date(i["created_at"]) << "\n"
            << "backers: " << (i["backers"].empty() ? "none yet" : Join(i["backers"])) << "\n\n"
            << i["pitch"].get<std::string>() << "\n";
}

void PrintProjects(const json& list) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : list["items"]) {
    rows.push_back({std::to_string(p["id"].get<std::int64_t>()), p["title"],
                    "@" + p["initiator"].get<std::string>(), Join(p["members"]),
                    Join(p["looking_for"]), std::to_string(p["backers"].size())});
  }
  if (rows.empty()) {
    std::cout << "No projects yet. Start one: qiusuo project start --title \"...\"\n";
    return;
  }
  PrintTable(std::cout, {"ID", "TITLE", "INITIATOR", "MEMBERS", "LOOKING FOR", "BACKERS"}, rows,
             40);
  if (!list["next_cursor"].is_null()) {
    std::cout << "(more: --cursor " << list["next_cursor"].get<std::string>() << ")\n";
  }
}

void PrintTasks(const json& tasks) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& t : tasks["items"]) {
    rows.push_back({std::to_string(t["id"].get<std::int64_t>()), t["state"],
                    t["holder"].is_null() ? "-" : "@" + t["holder"].get<std::string>(),
                    t["title"]});
  }
  if (rows.empty()) {
    std::cout << "No tasks.\n";
    return;
  }
  PrintTable(std::cout, {"ID", "STATE", "HOLDER", "TITLE"}, rows, 60);
}

void PrintProject(const json& p, const json& tasks) {
  std::cout << "#" << p["id"] << "  " << p["title"].get<std::string>() << "\n"
            << "initiator:   @" << p["initiator"].get<std::string>() << "\n"
            << "members:     " << Join(p["members"]) << "\n"
            << "looking for: " << (p["looking_for"].empty() ? "-" : Join(p["looking_for"])) << "\n"
            << "backers:     " << (p["backers"].empty() ? "-" : Join(p["backers"])) << "\n";
  if (!p["idea_id"].is_null()) std::cout << "from idea:   #" << p["idea_id"] << "\n";
  std::vector<std::vector<std::string>> pending;
  for (const auto& m : p["memberships"]) {
    const std::string state = m["state"];
    if (state == "applied" || state == "invited") {
      pending.push_back(
          {"@" + m["handle"].get<std::string>(), state, m["message"], Date(m["updated_at"])});
    }
  }
  if (!pending.empty()) {
    std::cout << "\nopen requests:\n";
    PrintTable(std::cout, {"WHO", "STATE", "MESSAGE", "SINCE"}, pending);
  }
  std::cout << "\n" << p["pitch"].get<std::string>() << "\n\ntasks:\n";
  PrintTasks(tasks);
}

void PrintMembership(const json& m) {
  std::cout << "@" << m["handle"].get<std::string>() << " is now " << m["state"].get<std::string>()
            << " in project #" << m["project_id"] << "\n";
}

void PrintTask(const json& t) {
  std::cout << "task #" << t["id"] << " \"" << t["title"].get<std::string>() << "\" is "
            << t["state"].get<std::string>();
  if (!t["holder"].is_null()) std::cout << " (held by @" << t["holder"].get<std::string>() << ")";
  std::cout << "\n";
}

void PrintMember(const json& m) {
  std::cout << "@" << m["handle"].get<std::string>() << "  " << m["name"].get<std::string>()
            << (m["steward"].get<bool>() ? "  (steward)" : "") << "\n"
            << "skills:    " << Join(m["skills"]) << "\n"
            << "interests: " << Join(m["interests"]) << "\n"
            << "joined:    " << Date(m["joined_at"]) << "\n";
  if (m.contains("emails")) std::cout << "emails:    " << Join(m["emails"]) << "\n";
}

// "90" (seconds), "30s", "90m", "2h", "1d", "1:30:00".
Result<std::int64_t> ParseDuration(const std::string& text) {
  if (text.find(':') != std::string::npos) {
    std::int64_t total = 0;
    std::stringstream in(text);
    std::string part;
    while (std::getline(in, part, ':')) {
      if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) {
        return InvalidArgument("time-limit",
                               "'" + text + "' is not a duration like 2h, 90m or 1:30:00");
      }
      total = total * 60 + std::stoll(part);
    }
    return total;
  }
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  if (digits == 0 || digits > 12 ||
      !(unit.empty() || unit == "s" || unit == "m" || unit == "h" || unit == "d")) {
    return InvalidArgument("time-limit",
                           "'" + text + "' is not a duration like 2h, 90m or 1:30:00");
  }
  const std::int64_t n = std::stoll(text.substr(0, digits));
  return n * (unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 1);
}

// "2026-12-31" (through the end of that day, UTC) or "2026-12-31T18:00:00Z".
Result<std::int64_t> ParseUntil(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  bool whole_day = false;
  if (!end || *end) {
    tm = {};
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
    whole_day = true;
  }
  if (!end || *end) return InvalidArgument("until", "'" + text + "' is not a date like 2026-12-31");
  return static_cast<std::int64_t>(timegm(&tm)) + (whole_day ? 86400 : 0);
}

std::string Ago(const json& t) { return t.is_string() ? t.get<std::string>().substr(5, 11) : "-"; }

void PrintJob(const json& j) {
  std::cout << "job " << j["id"] << "  " << j["name"].get<std::string>() << "\n"
            << "state:     " << j["state"].get<std::string>()
            << (j["stopping"].get<std::string>().empty()
                    ? ""
                    : " (stopping: " + j["stopping"].get<std::string>() + ")")
            << "\n"
            << "owner:     @" << j["owner"].get<std::string>() << " in project #" << j["project_id"]
            << "\n"
            << "gpus:      " << j["gpus"];
  if (!j["gpu_ids"].empty()) std::cout << " (devices " << Join(j["gpu_ids"], ",") << ")";
  std::cout << "\nrestarts:  " << j["restarts"] << "\n"
            << "exit code: " << (j["exit_code"].is_null() ? "-" : j["exit_code"].dump()) << "\n";
  if (!j["reason"].get<std::string>().empty())
    std::cout << "reason:    " << j["reason"].get<std::string>() << "\n";
  std::cout << "command:   " << Join(j["argv"], " ") << "\n"
            << "workdir:   " << j["workdir"].get<std::string>() << "\n"
            << "submitted: " << j["submitted_at"].get<std::string>() << "   started: "
            << (j["started_at"].is_null() ? "-" : j["started_at"].get<std::string>())
            << "   finished: "
            << (j["finished_at"].is_null() ? "-" : j["finished_at"].get<std::string>()) << "\n";
  if (j.contains("notes")) {
    for (const auto& n : j["notes"]) {
      std::cout << "note (" << n["outcome"].get<std::string>() << ", @"
                << n["author"].get<std::string>() << "): " << n["text"].get<std::string>() << "\n";
    }
  }
}

// ---- server-side verbs ------------------------------------------------------------

struct ServerSide {
  std::string data = "var";
  std::string listen;
  bool demo = false;
  std::string handle = "steward";
  bool password_stdin = false;
  int threads = -1;
  std::string database;
};

Status RunInit(const ServerSide& opts) {
  QS_TRY_STATUS(crypto::Init());
  LabDatabase db = QS_TRY(FindLabDatabase(opts.data));
  if (!opts.database.empty()) {
    db.name = opts.database;
    db.postgres = IsPostgresUrl(db.name);
    db.where = "--database";
  }
  const std::string shown = DisplayDatabase(db.name);
  if (!db.postgres && fs::exists(SqlitePath(db.name))) {
    return FailedPrecondition(opts.data + " already holds a lab (" + shown +
                              "); init never touches an existing lab. Use another --data DIR.");
  }
  std::error_code ec;
  fs::create_directories(opts.data, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + opts.data + ": " + ec.message());
  std::string password;
  bool generated = false;
  if (opts.password_stdin) {
    password = QS_TRY(ReadPassword(true, ""));
  } else {
    password = crypto::RandomHex(12);
    generated = true;
  }
  auto store = QS_TRY(OpenLabStore(db, false, opts.data));
  if (db.postgres && QS_TRY(Read(*store, [](Tx& tx) { return tx.CountMembers(); })) > 0) {
    return FailedPrecondition("the database " + shown +
                              " already holds a lab; init never touches an existing lab");
  }
  SystemClock clock;
  Lab lab(*store, clock, LabConfig{});
  const Member steward = QS_TRY(lab.Init(opts.handle, password, {}));
  // The key that signs the ledger's checkpoints; its public half is served to all.
  const crypto::SigningKey key =
      QS_TRY(LoadLedgerKey((fs::path(opts.data) / "ledger.key").string(), true));
  const fs::path config = fs::path(opts.data) / "qiusuo.toml";
  if (!fs::exists(config)) {
    QS_TRY_STATUS(WriteDefaultServerConfig(config.string(), opts.database));
  } else if (!opts.database.empty()) {
    QS_TRY_STATUS(SetConfigDatabase(config.string(), opts.database));
  }
  std::cout << "Created a lab in " << opts.data << " (database " << shown << ", config "
            << config.string() << ").\n"
            << "Steward: @" << steward.handle << "\n";
  if (generated) {
    std::cout << "Steward password (shown once; keep it): " << password << "\n";
  }
  if (opts.demo) {
    const DemoSummary demo = QS_TRY(SeedDemoLab(lab, {steward.id, steward.handle, true, {}}));
    std::cout << "Demo lab: " << demo.handles.size() << " members (";
    for (std::size_t i = 0; i < demo.handles.size(); ++i)
      std::cout << (i ? ", " : "") << "@" << demo.handles[i];
    std::cout << "), " << demo.ideas << " ideas, " << demo.projects << " projects, " << demo.tasks
              << " tasks. Demo members sign in with the password " << kDemoPassword << "\n";
  }
  std::cout << "Ledger key: " << (fs::path(opts.data) / "ledger.key").string()
            << " (keep it secret; back it up with the database). Public key: "
            << crypto::ToHex(key.public_key) << "\n";
  std::cout << "Next: qiusuo serve --data " << opts.data << "\n";
  return {};
}

// The web UI's built files: web_root from the config, else next to the binary
// (DIR/web, DIR/../share/qiusuo/web), else the source tree's web/dist.
std::string FindWebRoot(const std::string& configured) {
  if (!configured.empty()) return configured;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const fs::path& candidate : {exe / "web", exe / ".." / "share" / "qiusuo" / "web",
                                    fs::path(QIUSUO_SOURCE_DIR) / "web" / "dist"}) {
    if (fs::exists(candidate / "index.html", ec)) return candidate.string();
  }
  return "";
}

Status RunServe(const ServerSide& opts) {
  QS_TRY_STATUS(crypto::Init());
  ServerConfig config = QS_TRY(LoadServerConfig((fs::path(opts.data) / "qiusuo.toml").string()));
  const LabDatabase db = FindLabDatabase(opts.data, config);
  if (!opts.listen.empty()) config.listen = opts.listen;
  if (opts.threads >= 0) config.threads = opts.threads;
  const auto colon = config.listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const std::string digits = config.listen.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size()) port = -1;
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {
    return InvalidArgument(
        "listen", "--listen takes HOST:PORT, like 127.0.0.1:8080 (port 0 picks a free one)");
  }
  auto store = QS_TRY(OpenLabStore(db, true, opts.data));
  SystemClock clock;
  LabConfig lab_config;
  lab_config.open_signup = config.open_signup;
  Lab lab(*store, clock, lab_config);
  // The job supervisor is installed next to this binary.
  std::error_code self_ec;
  const fs::path shim = fs::read_symlink("/proc/self/exe", self_ec).parent_path() / "qiusuo-shim";
  if (self_ec || ::access(shim.c_str(), X_OK) != 0) {
    return Fail(ErrorCode::kUnavailable, "cannot find the job supervisor " + shim.string() +
                                             "; install qiusuo-shim next to qiusuo");
  }
  auto executor = QS_TRY(MakeLocalExecutor(
      {(fs::path(opts.data) / "jobs").string(), shim.string(), config.virtual_gpus, true}, clock));
  ComputeConfig compute_config;
  compute_config.policy.min_runtime = config.min_runtime_s;
  compute_config.policy.starvation_wait = config.starvation_wait_s;
  compute_config.grace_s = config.grace_s;
  Compute compute(*store, clock, *executor, compute_config);
  // Reattach to jobs that ran while the server was down before taking requests.
  QS_TRY_STATUS(compute.Tick());
  compute.StartLoop(std::chrono::milliseconds(config.scheduler_interval_ms));
  // Labs made before the ledger get their key on first start.
  Mailer mailer;
  if (!config.mail_command.empty()) {
    mailer = [command = config.mail_command](const std::string& to, const std::string& subject,
                                             const std::string& body) -> Status {
      FILE* pipe = ::popen(command.c_str(), "w");
      if (!pipe) return Fail(ErrorCode::kUnavailable, "cannot run mail_command");
      const std::string message = "To: " + to + "\nSubject: " + subject + "\n\n" + body;
      std::fwrite(message.data(), 1, message.size(), pipe);
      if (::pclose(pipe) != 0) {
        spdlog::error("mail_command failed sending to {}", to);
        return Fail(ErrorCode::kUnavailable, "the lab's mail_command failed; tell the operator");
      }
      return {};
    };
  }
  Ledger ledger(*store, clock,
                QS_TRY(LoadLedgerKey((fs::path(opts.data) / "ledger.key").string(), true)),
                std::move(mailer));
  http::Api api(lab, &compute, &ledger);
  http::ServerOptions server_options;
  server_options.host = config.listen.substr(0, colon);
  server_options.port = static_cast<std::uint16_t>(port);
  server_options.threads = config.threads;
  server_options.body_limit = config.body_limit;
  server_options.handle_signals = true;
  const http::StaticFiles web(FindWebRoot(config.web_root));
  if (web.root().empty()) {
    spdlog::warn("the web UI is not built (no web/dist found); `make web` builds it");
  }
  auto server = QS_TRY(http::StartServer(server_options, [&](const http::Request& r) {
    if (!r.path.starts_with("/api/") && r.path != "/healthz") return web.Serve(r);
    http::Response res = api.Handle(r);
    if (res.status >= 500) spdlog::error("{} {} -> {}: {}", r.method, r.path, res.status, res.body);
    return res;
  }));
  // Scripts read this line to learn the port when --listen asked for port 0.
  std::cout << "qiusuo: serving http://" << server_options.host << ":" << server->port()
            << " (data " << opts.data << ", signup "
            << (config.open_signup ? "open" : "invite-only") << ", " << executor->Gpus().size()
            << " GPUs)\n"
            << std::flush;
  server->Wait();
  compute.StopLoop();
  spdlog::info("qiusuo: stopped");
  return {};
}

// ---- the command tree -------------------------------------------------------------

int Main(int argc, char** argv) {
  CLI::App app{
      "qiusuo: a bottom-up research lab. Post ideas, start and join projects by consent,\n"
      "claim tasks. Exit codes: 0 ok, 1 failed, 2 usage, 3 not allowed, 4 not found,\n"
      "5 server unreachable."};
  app.require_subcommand(1);
  app.fallthrough();  // global flags (--json, --server) may follow the verb, as with gh
  app.set_version_flag("--version", "qiusuo 0.1.0");
  Globals g;
  app.add_option("--server", g.server,
                 "server URL (default: QIUSUO_SERVER, the config file, then " +
                     std::string(kDefaultServer) + ")");
  app.add_flag("--json", g.json, "print the API's JSON instead of tables");
  Client client(g);
  Status result;
  // Runs a client verb: loads the config, then `fn`.
  auto run = [&](auto&& fn) {
    return [&, fn = std::forward<decltype(fn)>(fn)] {
      result = client.Load();
      if (result) result = fn();
    };
  };
  auto out = [&](const json& doc, const auto& human) {
    if (g.json)
      std::cout << doc.dump(2) << "\n";
    else
      human(doc);
  };

  // Server side.
  ServerSide ss;
  auto* init =
      app.add_subcommand("init", "create a lab: database, config and the first member (a steward)");
  init->add_option("--data", ss.data, "directory for the lab's files")->capture_default_str();
  init->add_flag("--demo", ss.demo,
                 "also create a small demo lab (members, ideas, projects, tasks)");
  init->add_option("--handle", ss.handle, "the steward's handle")->capture_default_str();
  init->add_option("--database", ss.database,
                   "keep the lab in this database: a postgresql:// URL (default: DIR/qiusuo.db, "
                   "or QIUSUO_DATABASE); written into DIR/qiusuo.toml");
  init->add_flag("--password-stdin", ss.password_stdin,
                 "read the steward's password from stdin (else one is generated and printed once)");
  init->callback([&] { result = RunInit(ss); });

  auto* serve =
      app.add_subcommand("serve", "run the server: JSON API on HOST:PORT until SIGINT/SIGTERM");
  serve->add_option("--data", ss.data, "the lab's directory")->capture_default_str();
  serve->add_option(
      "--listen", ss.listen,
      "HOST:PORT (default from DIR/qiusuo.toml, else 127.0.0.1:8080; port 0 picks one)");
  serve->add_option("--threads", ss.threads, "HTTP threads (0: one per core)");
  serve->callback([&] { result = RunServe(ss); });

  std::string backup_dir;
  auto* backup = app.add_subcommand(
      "backup", "copy a lab (database, ledger key, config) while it runs, into a new directory");
  backup->add_option("--data", ss.data, "the lab's directory")->capture_default_str();
  backup->add_option("--to", backup_dir, "a new directory for the backup")->required();
  backup->callback([&] { result = RunBackup(ss.data, backup_dir); });
  auto* restore = app.add_subcommand(
      "restore", "restore a backup into a new lab directory, checking the ledger's root");
  restore->add_option("--from", backup_dir, "the backup directory")->required();
  restore->add_option("--data", ss.data, "a new directory for the lab")->capture_default_str();
  restore->add_option("--database", ss.database,
                      "restore into this empty PostgreSQL database (postgresql:// URL; default: "
                      "QIUSUO_DATABASE, else DIR/qiusuo.db)");
  restore->callback([&] { result = RunRestore(ss.data, backup_dir, ss.database); });
  static std::string migrate_from, migrate_to, migrate_data;
  auto* migrate = app.add_subcommand(
      "migrate",
      "copy a lab to another database (SQLite to PostgreSQL, ...), checking counts and the "
      "ledger's root on both sides");
  migrate->add_option("--from", migrate_from, "the lab's database: sqlite:PATH or postgresql://...")
      ->required();
  migrate->add_option("--to", migrate_to, "an empty database: postgresql://... or sqlite:PATH")
      ->required();
  migrate->add_option("--data", migrate_data,
                      "also point DIR/qiusuo.toml at the new database once the copy checks out");
  migrate->callback([&] { result = RunMigrate(migrate_from, migrate_to, migrate_data); });

  // Accounts.
  std::string handle, name, invite_code, token_name;
  std::vector<std::string> emails, skills, interests;
  bool password_stdin = false;
  auto* signup = app.add_subcommand("signup", "create your account on the server and sign in");
  signup->add_option("--handle", handle, "your handle: 2-32 of a-z 0-9 -");
  signup->add_option("--name", name, "your name as others see it");
  signup->add_option("--email", emails, "an email of yours (repeatable)");
  signup->add_option("--skill", skills, "a skill (repeatable)");
  signup->add_option("--interest", interests, "a research interest (repeatable)");
  signup->add_option("--invite", invite_code, "a sign-up code, for invite-only labs");
  signup->add_flag("--password-stdin", password_stdin, "read the password from stdin");
  signup->callback(run([&]() -> Status {
    if (handle.empty()) handle = Ask("handle: ");
    const std::string password =
        QS_TRY(ReadPassword(password_stdin, "password (10+ characters): "));
    json body = {{"handle", handle},
                 {"password", password},
                 {"emails", emails},
                 {"skills", skills},
                 {"interests", interests}};
    if (!name.empty()) body["name"] = name;
    if (!invite_code.empty()) body["invite_code"] = invite_code;
    QS_TRY(client.Call("POST", "/api/v1/members", body));
    const json session = QS_TRY(
        client.Call("POST", "/api/v1/sessions", {{"handle", handle}, {"password", password}}));
    QS_TRY_STATUS(client.SaveLogin(session["token"]));
    out(session["member"], [&](const json&) {
      std::cout << "Welcome, @" << handle << ". Signed in to " << client.Server() << ".\n";
    });
    return {};
  }));

  auto* login = app.add_subcommand("login", "sign in and keep the token in your config file");
  login->add_option("--handle", handle, "your handle");
  login->add_flag("--password-stdin", password_stdin, "read the password from stdin");
  login->callback(run([&]() -> Status {
    if (handle.empty()) handle = Ask("handle: ");
    const std::string password = QS_TRY(ReadPassword(password_stdin, "password: "));
    const json session = QS_TRY(
        client.Call("POST", "/api/v1/sessions", {{"handle", handle}, {"password", password}}));
    QS_TRY_STATUS(client.SaveLogin(session["token"]));
    out(session["member"], [&](const json&) {
      std::cout << "Signed in to " << client.Server() << " as @" << handle << " (token saved in "
                << client.config_path() << ").\n";
    });
    return {};
  }));

  auto* logout = app.add_subcommand("logout", "revoke this machine's token and forget it");
  logout->callback(run([&]() -> Status {
    QS_TRY(client.Call("DELETE", "/api/v1/sessions/current"));
    QS_TRY_STATUS(client.SaveLogin(""));
    if (!g.json) std::cout << "Signed out.\n";
    return {};
  }));

  auto* whoami = app.add_subcommand("whoami", "who the saved token belongs to");
  whoami->callback(run([&]() -> Status {
    const json me = QS_TRY(client.Call("GET", "/api/v1/me"));
    out(me, [&](const json& m) {
      std::cout << "@" << m["handle"].get<std::string>() << " (" << m["name"].get<std::string>()
                << ")" << (m["steward"].get<bool>() ? ", steward" : "") << " on " << client.Server()
                << "\n";
    });
    return {};
  }));

  auto* token = app.add_subcommand("token", "your API tokens");
  token->require_subcommand(1);
  token->add_subcommand("list", "list your tokens")->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/tokens")), [](const json& list) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& t : list["items"]) {
        rows.push_back(
            {std::to_string(t["id"].get<std::int64_t>()), t["name"], Date(t["created_at"]),
             t["revoked_at"].is_null() ? (t["current"].get<bool>() ? "live (this one)" : "live")
                                       : "revoked"});
      }
      PrintTable(std::cout, {"ID", "NAME", "CREATED", "STATUS"}, rows);
    });
    return {};
  }));
  auto* token_create =
      token->add_subcommand("create", "make a named token for scripts (printed once)");
  token_create->add_option("--name", token_name, "what it is for");
  token_create->callback(run([&]() -> Status {
    const json t = QS_TRY(client.Call("POST", "/api/v1/tokens", {{"name", token_name}}));
    out(t, [](const json& t) { std::cout << t["token"].get<std::string>() << "\n"; });
    return {};
  }));
  std::int64_t id = 0;
  auto* token_revoke = token->add_subcommand("revoke", "revoke one of your tokens");
  token_revoke->add_option("ID", id, "token id (see token list)")->required();
  token_revoke->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("DELETE", "/api/v1/tokens/" + std::to_string(id))),
        [&](const json&) { std::cout << "Revoked token " << id << ".\n"; });
    return {};
  }));

  app.add_subcommand("signup-invite", "make a one-time sign-up code for an invite-only lab")
      ->callback(run([&]() -> Status {
        out(QS_TRY(client.Call("POST", "/api/v1/signup-invites")),
            [](const json& r) { std::cout << r["invite_code"].get<std::string>() << "\n"; });
        return {};
      }));

  // Members.
  auto* member = app.add_subcommand("member", "people in the lab");
  member->require_subcommand(1);
  int limit = 50;
  std::string cursor;
  auto* member_list = member->add_subcommand("list", "list members");
  member_list->add_option("--limit", limit, "how many")->capture_default_str();
  member_list->add_option("--cursor", cursor, "continue after a previous page");
  member_list->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/members?limit=" + std::to_string(limit) +
                                      "&cursor=" + http::UrlEncode(cursor))),
        [](const json& list) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& m : list["items"]) {
            rows.push_back({"@" + m["handle"].get<std::string>(), m["name"], Join(m["skills"]),
                            Join(m["interests"])});
          }
          PrintTable(std::cout, {"HANDLE", "NAME", "SKILLS", "INTERESTS"}, rows, 40);
        });
    return {};
  }));
  auto* member_show = member->add_subcommand("show", "one member");
  member_show->add_option("HANDLE", handle, "their handle")->required();
  member_show->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/members/" + http::UrlEncode(handle))), PrintMember);
    return {};
  }));
  auto* member_edit = member->add_subcommand(
      "edit", "edit your own name, emails, skills and interests (given lists replace the old)");
  member_edit->add_option("--name", name, "your name");
  member_edit->add_option("--email", emails, "an email (repeatable)");
  member_edit->add_option("--skill", skills, "a skill (repeatable)");
  member_edit->add_option("--interest", interests, "an interest (repeatable)");
  member_edit->callback(run([&]() -> Status {
    json body = json::object();
    if (!name.empty()) body["name"] = name;
    if (member_edit->count("--email")) body["emails"] = emails;
    if (member_edit->count("--skill")) body["skills"] = skills;
    if (member_edit->count("--interest")) body["interests"] = interests;
    out(QS_TRY(client.Call("PATCH", "/api/v1/me", body)), PrintMember);
    return {};
  }));

  // Ideas.
  auto* idea = app.add_subcommand("idea", "post, find and back ideas");
  idea->require_subcommand(1);
  std::string search, title, pitch, pitch_file, message;
  auto* idea_list = idea->add_subcommand("list", "list ideas, newest first");
  idea_list->add_option("--search,-s", search, "words in the title or pitch");
  idea_list->add_option("--limit", limit, "how many")->capture_default_str();
  idea_list->add_option("--cursor", cursor, "continue after a previous page");
  idea_list->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/ideas?q=" + http::UrlEncode(search) +
                                      "&limit=" + std::to_string(limit) +
                                      "&cursor=" + http::UrlEncode(cursor))),
        PrintIdeas);
    return {};
  }));
  auto* idea_post = idea->add_subcommand("post", "post an idea; prints its id");
  idea_post->add_option("--title,-t", title, "one line")->required();
  idea_post->add_option("--pitch,-p", pitch, "the pitch, in markdown");
  idea_post->add_option("--pitch-file", pitch_file, "read the pitch from a file ('-' for stdin)");
  idea_post->callback(run([&]() -> Status {
    if (!pitch_file.empty()) pitch = QS_TRY(ReadFile(pitch_file));
    out(QS_TRY(client.Call("POST", "/api/v1/ideas", {{"title", title}, {"pitch", pitch}})),
        [](const json& i) { std::cout << i["id"] << "\n"; });
    return {};
  }));
  auto add_id = [&](CLI::App* cmd, const char* what) {
    cmd->add_option("ID", id, what)->required();
  };
  auto* idea_show = idea->add_subcommand("show", "one idea with its pitch and backers");
  add_id(idea_show, "idea id");
  idea_show->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/ideas/" + std::to_string(id))), PrintIdea);
    return {};
  }));
  for (bool back : {true, false}) {
    auto* cmd = idea->add_subcommand(back ? "back" : "unback",
                                     back ? "back an idea (public)" : "stop backing an idea");
    add_id(cmd, "idea id");
    cmd->callback(run([&, back]() -> Status {
      out(QS_TRY(client.Call(back ? "PUT" : "DELETE",
                             "/api/v1/ideas/" + std::to_string(id) + "/backing")),
          [](const json& i) {
            std::cout << "#" << i["id"] << " now has " << i["backer_count"]
                      << " backer(s): " << Join(i["backers"]) << "\n";
          });
      return {};
    }));
  }

  // Projects.
  auto* project = app.add_subcommand("project", "start, find and join projects (by consent only)");
  project->require_subcommand(1);
  auto* project_list =
      project->add_subcommand("list", "projects with members, open roles and backers");
  project_list->add_option("--limit", limit, "how many")->capture_default_str();
  project_list->add_option("--cursor", cursor, "continue after a previous page");
  project_list->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/projects?limit=" + std::to_string(limit) +
                                      "&cursor=" + http::UrlEncode(cursor))),
        PrintProjects);
    return {};
  }));
  std::int64_t from_idea = 0;
  std::string looking_for;
  auto* project_start =
      project->add_subcommand("start", "start a project (you become its initiator); prints its id");
  project_start->add_option("--idea", from_idea,
                            "start from this idea (title and pitch default to it)");
  project_start->add_option("--title,-t", title, "one line");
  project_start->add_option("--pitch,-p", pitch, "markdown");
  project_start->add_option("--pitch-file", pitch_file,
                            "read the pitch from a file ('-' for stdin)");
  project_start->add_option("--looking-for", looking_for,
                            "open roles, comma-separated: \"CUDA kernels,data cleaning\"");
  project_start->callback(run([&]() -> Status {
    if (!pitch_file.empty()) pitch = QS_TRY(ReadFile(pitch_file));
    json body = {{"title", title}, {"pitch", pitch}, {"looking_for", SplitComma(looking_for)}};
    if (from_idea > 0) body["idea_id"] = from_idea;
    out(QS_TRY(client.Call("POST", "/api/v1/projects", body)),
        [](const json& p) { std::cout << p["id"] << "\n"; });
    return {};
  }));
  auto* project_show =
      project->add_subcommand("show", "one project: members, open requests, roles, tasks");
  add_id(project_show, "project id");
  project_show->callback(run([&]() -> Status {
    const json p = QS_TRY(client.Call("GET", "/api/v1/projects/" + std::to_string(id)));
    const json tasks =
        QS_TRY(client.Call("GET", "/api/v1/projects/" + std::to_string(id) + "/tasks"));
    if (g.json) {
      json both = p;
      both["tasks"] = tasks["items"];
      std::cout << both.dump(2) << "\n";
    } else {
      PrintProject(p, tasks);
    }
    return {};
  }));
  auto* project_roles =
      project->add_subcommand("looking-for", "set the roles a project is looking for (members)");
  add_id(project_roles, "project id");
  project_roles->add_option("ROLES", looking_for, "comma-separated; empty clears")->required();
  project_roles->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("PATCH", "/api/v1/projects/" + std::to_string(id),
                           {{"looking_for", SplitComma(looking_for)}})),
        [](const json& p) { std::cout << "looking for: " << Join(p["looking_for"]) << "\n"; });
    return {};
  }));
  for (bool back : {true, false}) {
    auto* cmd = project->add_subcommand(
        back ? "back" : "unback", back ? "back a project (public)" : "stop backing a project");
    add_id(cmd, "project id");
    cmd->callback(run([&, back]() -> Status {
      out(QS_TRY(client.Call(back ? "PUT" : "DELETE",
                             "/api/v1/projects/" + std::to_string(id) + "/backing")),
          [](const json& p) {
            std::cout << "#" << p["id"] << " backers: " << Join(p["backers"]) << "\n";
          });
      return {};
    }));
  }
  auto* apply =
      project->add_subcommand("apply", "ask to join; a current member accepts or declines");
  add_id(apply, "project id");
  apply->add_option("--message,-m", message, "why you want to join");
  apply->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(id) + "/apply",
                           {{"message", message}})),
        PrintMembership);
    return {};
  }));
  auto* leave = project->add_subcommand("leave", "leave a project (any time)");
  add_id(leave, "project id");
  leave->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(id) + "/leave")),
        PrintMembership);
    return {};
  }));
  auto* invite =
      project->add_subcommand("invite", "invite a person (members); they accept or decline");
  add_id(invite, "project id");
  invite->add_option("HANDLE", handle, "whom")->required();
  invite->add_option("--message,-m", message, "a note");
  invite->callback(run([&]() -> Status {
    out(QS_TRY(client.Call(
            "POST",
            "/api/v1/projects/" + std::to_string(id) + "/invitations/" + http::UrlEncode(handle),
            {{"message", message}})),
        PrintMembership);
    return {};
  }));
  struct Answer {
    const char* verb;
    const char* help;
  };
  for (const Answer a :
       {Answer{"accept", "accept an application (as a member) or your invitation (HANDLE = you)"},
        Answer{"decline", "decline an application (as a member) or your invitation (HANDLE = you)"},
        Answer{"withdraw",
               "withdraw your application (HANDLE = you) or an invitation (as a member)"}}) {
    auto* cmd = project->add_subcommand(a.verb, a.help);
    add_id(cmd, "project id");
    cmd->add_option("HANDLE", handle, "whose application or invitation (default: yours)");
    const std::string verb = a.verb;
    cmd->callback(run([&, verb]() -> Status {
      if (handle.empty()) {
        const json me = QS_TRY(client.Call("GET", "/api/v1/me"));
        handle = me["handle"];
      }
      out(QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(id) + "/memberships/" +
                                         http::UrlEncode(handle) + "/" + verb)),
          PrintMembership);
      return {};
    }));
  }

  // Tasks.
  auto* task =
      app.add_subcommand("task", "project tasks: claimed by whoever does them, never assigned");
  task->require_subcommand(1);
  auto* task_list = task->add_subcommand("list", "a project's tasks");
  add_id(task_list, "project id");
  task_list->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/projects/" + std::to_string(id) + "/tasks")),
        PrintTasks);
    return {};
  }));
  std::string description;
  auto* task_add =
      task->add_subcommand("add", "add a task to a project you are a member of; prints its id");
  add_id(task_add, "project id");
  task_add->add_option("--title,-t", title, "one line")->required();
  task_add->add_option("--description,-d", description, "details");
  task_add->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(id) + "/tasks",
                           {{"title", title}, {"description", description}})),
        [](const json& t) { std::cout << t["id"] << "\n"; });
    return {};
  }));
  for (const Answer a : {Answer{"claim", "claim a task for yourself"},
                         Answer{"unclaim", "give back a task you hold"},
                         Answer{"done", "mark a task you hold (or an open one) done"}}) {
    auto* cmd = task->add_subcommand(a.verb, a.help);
    add_id(cmd, "task id");
    const std::string verb = a.verb;
    cmd->callback(run([&, verb]() -> Status {
      out(QS_TRY(client.Call("POST", "/api/v1/tasks/" + std::to_string(id) + "/" + verb)),
          PrintTask);
      return {};
    }));
  }

  // Jobs.
  struct SubmitFlags {
    std::int64_t project = 0;
    int gpus = 0;
    std::string name, time_limit, workdir;
    std::vector<std::string> env, command;
  } sf;
  auto* submit = app.add_subcommand(
      "submit",
      "submit a job: qiusuo submit --project P --gpus 4 -- python train.py, or a script "
      "with #QIUSUO directive lines (as #SBATCH); prints the job id");
  submit->add_option("--project,-p", sf.project, "project id (you must be a member)");
  submit->add_option("--gpus,-g", sf.gpus,
                     "GPUs, all at once (any number up to the whole cluster)");
  submit->add_option("--name,-n", sf.name, "a name (default: the program's)");
  submit->add_option("--time-limit,-t", sf.time_limit, "e.g. 30m, 2h, 1d, 1:30:00");
  submit->add_option("--workdir", sf.workdir, "absolute directory to run in (default: here)");
  submit->add_option("--env", sf.env, "K=V for the job's environment (repeatable)");
  submit->add_option("command", sf.command, "the command, after --, or a script file")->required();
  submit->callback(run([&]() -> Status {
    std::vector<std::string> command = sf.command;
    // A script: read #QIUSUO lines; flags given on the command line win.
    if (command.size() == 1 && fs::is_regular_file(command[0])) {
      const fs::path script = fs::absolute(command[0]);
      std::ifstream in(script);
      std::string line;
      while (std::getline(in, line)) {
        if (!line.starts_with("#QIUSUO")) continue;
        std::stringstream words(line.substr(7));
        std::string flag, value;
        while (words >> flag) {
          if (!(words >> value))
            return InvalidArgument("script", script.string() + ": '" + flag + "' needs a value");
          if ((flag == "--project" || flag == "-p") && !submit->count("--project"))
            sf.project = std::stoll(value);
          else if ((flag == "--gpus" || flag == "-g") && !submit->count("--gpus"))
            sf.gpus = std::stoi(value);
          else if ((flag == "--name" || flag == "-n") && sf.name.empty())
            sf.name = value;
          else if ((flag == "--time-limit" || flag == "-t") && sf.time_limit.empty())
            sf.time_limit = value;
          else if (flag == "--env")
            sf.env.push_back(value);
          else if (flag != "--project" && flag != "-p" && flag != "--gpus" && flag != "-g" &&
                   flag != "--name" && flag != "-n" && flag != "--time-limit" && flag != "-t") {
            return InvalidArgument("script",
                                   script.string() + ": unknown directive '" + flag + "'");
          }
        }
      }
      command = {"sh", script.string()};
      if (::access(script.c_str(), X_OK) == 0) command = {script.string()};
    }
    if (sf.project <= 0)
      return InvalidArgument("project",
                             "say which project: --project ID (see qiusuo project list)");
    if (!submit->count("--gpus") && sf.gpus == 0) sf.gpus = 1;
    json body = {{"project_id", sf.project},
                 {"gpus", sf.gpus},
                 {"argv", command},
                 {"workdir", sf.workdir.empty() ? fs::current_path().string()
                                                : fs::absolute(sf.workdir).string()}};
    if (!sf.name.empty()) body["name"] = sf.name;
    if (!sf.time_limit.empty()) body["time_limit_s"] = QS_TRY(ParseDuration(sf.time_limit));
    json env = json::object();
    for (const auto& kv : sf.env) {
      const auto eq = kv.find('=');
      if (eq == std::string::npos)
        return InvalidArgument("env", "--env takes K=V, not '" + kv + "'");
      env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    body["env"] = env;
    out(QS_TRY(client.Call("POST", "/api/v1/jobs", body)),
        [](const json& j) { std::cout << j["id"] << "\n"; });
    return {};
  }));

  app.add_subcommand("queue", "waiting and running jobs, with why each waiting job waits")
      ->callback(run([&]() -> Status {
        out(QS_TRY(client.Call("GET", "/api/v1/queue")), [](const json& q) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& j : q["items"]) {
            const std::string state = j["state"];
            rows.push_back(
                {std::to_string(j["id"].get<std::int64_t>()), state, "#" + j["project_id"].dump(),
                 "@" + j["owner"].get<std::string>(), j["gpus"].dump(), j["name"],
                 state == "running"
                     ? "on " + Join(j["gpu_ids"], ",") +
                           (j["restarts"].get<int>() ? " (restart " + j["restarts"].dump() + ")"
                                                     : "") +
                           (j["waiting_reason"].get<std::string>().empty()
                                ? ""
                                : "; " + j["waiting_reason"].get<std::string>())
                     : j["waiting_reason"].get<std::string>()});
          }
          if (rows.empty()) {
            std::cout << "The queue is empty.\n";
            return;
          }
          PrintTable(std::cout, {"ID", "STATE", "PROJECT", "OWNER", "GPUS", "NAME", "WHY / WHERE"},
                     rows, 70);
        });
        return {};
      }));

  auto* job = app.add_subcommand("job", "one job: show, list, record what it taught");
  job->require_subcommand(1);
  auto* job_show = job->add_subcommand("show", "state, GPUs, restarts, exit code, notes");
  add_id(job_show, "job id");
  job_show->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/jobs/" + std::to_string(id))), PrintJob);
    return {};
  }));
  std::int64_t list_project = 0;
  auto* job_list = job->add_subcommand("list", "jobs, newest first");
  job_list->add_option("--project", list_project, "only this project's");
  job_list->add_option("--limit", limit, "how many")->capture_default_str();
  job_list->callback(run([&]() -> Status {
    out(QS_TRY(client.Call(
            "GET", "/api/v1/jobs?limit=" + std::to_string(limit) +
                       (list_project > 0 ? "&project=" + std::to_string(list_project) : ""))),
        [](const json& list) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& j : list["items"]) {
            rows.push_back({std::to_string(j["id"].get<std::int64_t>()), j["state"],
                            "#" + j["project_id"].dump(), "@" + j["owner"].get<std::string>(),
                            j["gpus"].dump(), j["name"],
                            j["exit_code"].is_null() ? "-" : j["exit_code"].dump(),
                            Ago(j["submitted_at"])});
          }
          PrintTable(std::cout,
                     {"ID", "STATE", "PROJECT", "OWNER", "GPUS", "NAME", "EXIT", "SUBMITTED"},
                     rows);
        });
    return {};
  }));
  std::string outcome, note_text;
  auto* job_note = job->add_subcommand(
      "note",
      "record what a run taught: qiusuo job note ID --outcome negative \"what we learned\"");
  add_id(job_note, "job id");
  job_note->add_option("TEXT", note_text, "what was learned")->required();
  job_note->add_option("--outcome", outcome, "success, failure or negative")->required();
  job_note->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/notes",
                           {{"outcome", outcome}, {"text", note_text}})),
        [&](const json&) { std::cout << "Recorded on job " << id << ".\n"; });
    return {};
  }));

  bool follow = false, stderr_stream = false;
  auto* logs =
      app.add_subcommand("logs", "a job's output (stdout, or --stderr); -f follows it live");
  add_id(logs, "job id");
  logs->add_flag("-f,--follow", follow, "keep printing until the job ends");
  logs->add_flag("--stderr", stderr_stream, "the error stream instead of stdout");
  logs->callback(run([&]() -> Status {
    std::int64_t offset = 0;
    while (true) {
      const json chunk =
          QS_TRY(client.Call("GET", "/api/v1/jobs/" + std::to_string(id) +
                                        "/logs?stream=" + (stderr_stream ? "stderr" : "stdout") +
                                        "&offset=" + std::to_string(offset)));
      std::cout << chunk["data"].get<std::string>() << std::flush;
      const std::int64_t next = chunk["next_offset"];
      if (!follow || chunk["done"].get<bool>()) break;
      if (next == offset) std::this_thread::sleep_for(std::chrono::milliseconds(300));
      offset = next;
    }
    return {};
  }));

  auto* cancel = app.add_subcommand("cancel", "cancel a job (yours; stewards may cancel any)");
  add_id(cancel, "job id");
  cancel->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/jobs/" + std::to_string(id) + "/cancel")),
        [](const json& j) {
          std::cout << "job " << j["id"] << " "
                    << (j["state"] == "cancelled" ? "cancelled" : "is being cancelled") << "\n";
        });
    return {};
  }));

  app.add_subcommand("cluster",
                     "GPUs and who runs what; projects' weight, entitlement, use and boosts")
      ->callback(run([&]() -> Status {
        out(QS_TRY(client.Call("GET", "/api/v1/cluster")), [](const json& c) {
          std::cout << c["gpus"].size() << " GPUs, " << c["pending"] << " job(s) waiting\n";
          std::vector<std::vector<std::string>> gpus;
          for (const auto& g : c["gpus"]) {
            const json& j = g["job"];
            gpus.push_back({"GPU " + g["index"].dump(),
                            j.is_null()
                                ? "idle"
                                : "job " + j["id"].dump() + " " + j["name"].get<std::string>(),
                            j.is_null() ? "" : "@" + j["owner"].get<std::string>(),
                            j.is_null() ? "" : "#" + j["project_id"].dump()});
          }
          PrintTable(std::cout, {"GPU", "RUNNING", "OWNER", "PROJECT"}, gpus);
          std::vector<std::vector<std::string>> projects;
          for (const auto& p : c["projects"]) {
            std::string boosts;
            for (const auto& b : p["boosts"]) {
              boosts += (boosts.empty() ? "" : "; ") + Fixed1(b["factor"].get<double>()) +
                        "x until " + b["expires_at"].get<std::string>().substr(0, 10) + ": " +
                        b["reason"].get<std::string>();
            }
            projects.push_back(
                {"#" + p["id"].dump() + " " + p["title"].get<std::string>(),
                 Fixed1(p["weight"].get<double>()), Fixed1(p["entitlement"].get<double>()),
                 p["allocated"].dump(), Fixed1(p["demand"].get<double>()),
                 Fixed1(p["decayed_gpu_hours"].get<double>()), boosts.empty() ? "-" : boosts});
          }
          std::cout << "\n";
          if (projects.empty()) {
            std::cout << "No project has jobs yet.\n";
            return;
          }
          PrintTable(std::cout,
                     {"PROJECT", "WEIGHT", "SHARE", "USING", "ASKING", "DECAYED GPU-H", "BOOSTS"},
                     projects, 50);
        });
        return {};
      }));

  double factor = 0;
  std::string until, reason;
  auto* boost = app.add_subcommand(
      "boost", "stewards: boost a project in the open (a weight factor, an expiry, a reason)");
  add_id(boost, "project id");
  boost->add_option("--factor", factor, "weight multiplier, e.g. 2")->required();
  boost
      ->add_option("--until", until,
                   "expiry: 2026-12-31 (through that day, UTC) or 2026-12-31T18:00:00Z")
      ->required();
  boost->add_option("--reason", reason, "why, for everyone to read")->required();
  boost->callback(run([&]() -> Status {
    const std::int64_t expires = QS_TRY(ParseUntil(until));
    out(QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(id) + "/boosts",
                           {{"factor", factor}, {"expires_at", expires}, {"reason", reason}})),
        [](const json& b) {
          std::cout << "project #" << b["project_id"] << " boosted "
                    << Fixed1(b["factor"].get<double>()) << "x until "
                    << b["expires_at"].get<std::string>() << "\n";
        });
    return {};
  }));
  app.add_subcommand("boosts", "live boosts, with who granted them and why")
      ->callback(run([&]() -> Status {
        out(QS_TRY(client.Call("GET", "/api/v1/boosts")), [](const json& list) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& b : list["items"]) {
            rows.push_back({"#" + b["project_id"].dump(), Fixed1(b["factor"].get<double>()) + "x",
                            b["expires_at"].get<std::string>(),
                            "@" + b["granted_by"].get<std::string>(), b["reason"]});
          }
          if (rows.empty()) {
            std::cout << "No live boosts.\n";
            return;
          }
          PrintTable(std::cout, {"PROJECT", "FACTOR", "UNTIL", "BY", "REASON"}, rows, 60);
        });
        return {};
      }));

  // The contribution ledger and what is computed from it.
  AddLedgerCommands(
      app, client,
      [&](std::function<Status()> fn) { return std::function<void()>(run(std::move(fn))); },
      [&](const json& doc, const std::function<void(const json&)>& human) { out(doc, human); },
      result);

  // The scheduler, replayed offline.
  SimulateOptions sim;
  auto* simulate = app.add_subcommand(
      "simulate", "replay a GPU job trace under scheduling policies and compare them");
  simulate->add_option("--trace", sim.trace, "CSV trace (ITP-2021 or Philly format)")
      ->required()
      ->check(CLI::ExistingFile);
  simulate->add_option("--gpus", sim.gpus, "GPUs in the simulated cluster")->required();
  simulate->add_option("--gpus-per-node", sim.gpus_per_node, "GPUs per node")
      ->capture_default_str();
  simulate->add_option("--policy", sim.policies, "comma-separated policies")
      ->delimiter(',')
      ->capture_default_str();
  simulate->add_option("--report", sim.report, "write an HTML report with plots to this file");
  simulate
      ->add_option("--projects", sim.projects,
                   "ITP traces: projects to spread jobs over (seeded Zipf)")
      ->capture_default_str();
  simulate->add_option("--seed", sim.seed, "seed of the project assignment")->capture_default_str();
  simulate->add_option("--min-runtime", sim.min_runtime, "seconds a run is safe from preemption")
      ->capture_default_str();
  simulate
      ->add_option("--checkpoint-interval", sim.checkpoint_interval,
                   "seconds between job checkpoints")
      ->capture_default_str();
  simulate
      ->add_option("--restart-delay", sim.restart_delay, "seconds a restarted job needs to resume")
      ->capture_default_str();
  simulate->add_option("--grace", sim.grace, "seconds a preempted job keeps its GPUs")
      ->capture_default_str();
  simulate->add_option("--half-life-days", sim.half_life_days, "decayed-usage half-life")
      ->capture_default_str();
  simulate->add_option("--threads", sim.threads, "policies replayed at once (0: one per core)");
  simulate->callback([&] {
    sim.json = g.json;
    result = RunSimulate(sim);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (!result) {
    const Error& e = result.error();
    std::cerr << "qiusuo: " << e.message;
    if (!e.field.empty() && e.message.find(e.field) == std::string::npos)
      std::cerr << " (field: " << e.field << ")";
    std::cerr << "\n";
    return ExitCodeFor(e.code);
  }
  return 0;
}

}  // namespace
}  // namespace qiusuo::cli

int main(int argc, char** argv) { return qiusuo::cli::Main(argc, argv); }
