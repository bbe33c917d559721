#include "server/server.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <csignal>
#include <filesystem>
#include <iostream>

#include "common/clock.h"
#include "crypto/crypto.h"
#include "exec/job_user.h"
#include "exec/local/local_executor.h"
#include "exec/slurm/slurm_executor.h"
#include "http/api.h"
#include "http/server.h"
#include "http/static_files.h"
#include "server/config.h"
#include "server/lab_dir.h"
#include "server/mailer.h"
#include "service/compute.h"
#include "service/identities.h"
#include "service/lab.h"
#include "service/record.h"
#include "service/rewards.h"
#include "store/leader.h"
#include "store/open.h"
#include "store/postgres/pg_store.h"

namespace qiusuo::server {
namespace {

namespace fs = std::filesystem;

// The web UI's built files: web_root from the config, else next to the binary
// (DIR/web, DIR/../share/qiusuo/web), else the source tree's web/dist.
std::string FindWebRoot(const std::string& configured) {
  std::error_code ec;
  if (!configured.empty()) return fs::absolute(configured, ec).string();
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (const fs::path& candidate : {exe / "web", exe / ".." / "share" / "qiusuo" / "web",
                                    fs::path(QIUSUO_SOURCE_DIR) / "web" / "dist"}) {
    if (fs::exists(candidate / "index.html", ec)) return candidate.string();
  }
  return "";
}

JobUserConfig JobUsersOf(const ServerConfig& config) {
  return {config.job_user, config.job_users, config.job_user_lookup, config.allow_root_jobs};
}

// The executor the config names. The one place that knows each kind.
Result<std::unique_ptr<Executor>> MakeExecutor(const ServerConfig& config, const LabDir& lab,
                                               const Clock& clock) {
  switch (config.executor) {
    case ExecutorKind::kLocal: {
      // The job supervisor is installed next to this binary.
      std::error_code ec;
      const fs::path shim = fs::read_symlink("/proc/self/exe", ec).parent_path() / "qiusuo-shim";
      if (ec || ::access(shim.c_str(), X_OK) != 0) {
        return Fail(ErrorCode::kUnavailable, "cannot find the job supervisor " + shim.string() +
                                                 "; install qiusuo-shim next to qiusuo");
      }
      LocalExecutorOptions options{lab.jobs().string(), shim.string(), config.virtual_gpus, true};
      options.job_users = JobUsersOf(config);
      options.work_root = lab.job_work(config.job_work_dir).string();
      options.log_max_bytes = config.job_log_max_bytes;
      return MakeLocalExecutor(options, clock);
    }
    case ExecutorKind::kSlurm: {
      SlurmExecutorOptions options;
      options.partition = config.slurm_partition;
      options.slurm_conf = config.slurm_conf;
      options.shared_dir = config.shared_dir;
      options.job_prefix = config.slurm_job_prefix;
      options.cpus_per_gpu = config.slurm_cpus_per_gpu;
      options.mem_per_gpu_mb = config.slurm_mem_per_gpu_mb;
      // Never more often than the scheduler runs.
      options.poll_interval = std::chrono::milliseconds(config.scheduler_interval_ms);
      options.default_grace_s = config.grace_s;
      options.job_users = JobUsersOf(config);
      options.log_max_bytes = config.job_log_max_bytes;
      return MakeSlurmExecutor(options);
    }
  }
  return Internal("an executor kind without a constructor");
}

Result<std::pair<std::string, std::uint16_t>> ParseListen(const std::string& listen) {
  const auto colon = listen.rfind(':');
  int port = -1;
  if (colon != std::string::npos) {
    const std::string digits = listen.substr(colon + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size()) port = -1;
  }
  if (colon == std::string::npos || port < 0 || port > 65535) {
    return InvalidArgument(
        "listen", "--listen takes HOST:PORT, like 127.0.0.1:8080 (port 0 picks a free one)");
  }
  return std::make_pair(listen.substr(0, colon), static_cast<std::uint16_t>(port));
}

// The abuse limits per member the config sets; none of them is a GPU quota (rule 3).
MemberLimits LimitsOf(const ServerConfig& config) {
  MemberLimits limits;
  limits.pending_jobs = config.limit_pending_jobs;
  limits.job_spec_bytes = static_cast<std::size_t>(config.limit_job_spec_bytes);
  limits.text_bytes = static_cast<std::size_t>(config.limit_text_bytes);
  limits.ideas_per_hour = config.limit_ideas_per_hour;
  limits.projects_per_hour = config.limit_projects_per_hour;
  limits.entries_per_hour = config.limit_entries_per_hour;
  return limits;
}

}  // namespace

Result<InitReport> InitLab(const InitOptions& options) {
  QS_TRY_STATUS(crypto::Init());
  // Every file of the lab is the server's alone (see SecureLabDir).
  ::umask(077);
  const LabDir dir = ResolveLabDir(options.data);
  LabDatabase db = QS_TRY(FindLabDatabase(dir));
  if (!options.database.empty()) {
    db.name = options.database;
    db.shown = DisplayDatabase(db.name);
    db.postgres = IsPostgresUrl(db.name);
    db.where = "--database";
  }
  InitReport report;
  report.database = db.shown;
  if (!db.postgres && fs::exists(SqlitePath(db.name))) {
    return FailedPrecondition(dir.shown + " already holds a lab (" + report.database +
                              "); init never touches an existing lab. Use another --data DIR.");
  }
  std::error_code ec;
  fs::create_directories(dir.root, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + dir.shown + ": " + ec.message());
  std::string password;
  if (options.password) {
    password = *options.password;
  } else {
    password = crypto::RandomHex(12);
    report.generated_password = password;
  }
  auto store = QS_TRY(OpenLabStore(db, false, dir));
  if (db.postgres && QS_TRY(Read(*store, [](Tx& tx) { return tx.CountMembers(); })) > 0) {
    return FailedPrecondition("the database " + report.database +
                              " already holds a lab; init never touches an existing lab");
  }
  SystemClock clock;
  Lab lab(*store, clock, LabConfig{});
  const Member steward = QS_TRY(lab.Init(options.handle, password, {}));
  report.steward = steward.handle;
  // The key that signs the ledger's checkpoints; its public half is served to all.
  const crypto::SigningKey key = QS_TRY(LoadLedgerKey(dir.ledger_key().string(), true));
  if (!fs::exists(dir.config())) {
    QS_TRY_STATUS(WriteDefaultServerConfig(dir.config().string(), options.database));
  } else if (!options.database.empty()) {
    QS_TRY_STATUS(SetConfigDatabase(dir.config().string(), options.database));
  }
  report.config_path = dir.Shown("qiusuo.toml");
  if (options.demo) report.demo = QS_TRY(SeedDemoLab(lab, {steward.id, steward.handle, true, {}}));
  QS_TRY_STATUS(SecureLabDir(dir));
  report.key_path = dir.Shown("ledger.key");
  report.public_key_hex = crypto::ToHex(key.public_key);
  return report;
}

Status RunServer(const ServeOptions& options) {
  QS_TRY_STATUS(crypto::Init());
  // A mail command or a client that goes away mid-write is an error where it
  // happens, never the end of the server.
  std::signal(SIGPIPE, SIG_IGN);
  // Whatever the server creates (database files, logs, run files) is its alone.
  ::umask(077);
  const LabDir dir = ResolveLabDir(options.data);
  ServerConfig config = QS_TRY(LoadServerConfig(dir.config().string()));
  QS_TRY_STATUS(SecureLabDir(dir));
  // Jobs never run as the server's user: a job account that can never be used stops
  // the server here; a lab that will refuse every job is told why.
  for (const std::string& warning : QS_TRY(CheckJobUserConfig(JobUsersOf(config))))
    spdlog::warn("jobs: {}", warning);
  const LabDatabase db = FindLabDatabase(dir, config);
  if (!options.listen.empty()) config.listen = options.listen;
  if (options.threads >= 0) config.threads = options.threads;
  const auto [host, port] = QS_TRY(ParseListen(config.listen));
  auto store = QS_TRY(OpenLabStore(db, true, dir));
  SystemClock clock;
  LabConfig lab_config;
  lab_config.open_signup = config.open_signup;
  lab_config.signups_per_remote = config.signups_per_hour;
  lab_config.signup_window_s = 3600;
  lab_config.session_idle_s = static_cast<int>(config.session_idle_s);
  lab_config.session_max_age_s = static_cast<int>(config.session_max_age_s);
  lab_config.api_token_idle_s = static_cast<int>(config.api_token_idle_s);
  lab_config.reset_code_ttl_s = static_cast<int>(config.reset_code_ttl_s);
  lab_config.limits = LimitsOf(config);
  Lab lab(*store, clock, lab_config);
  auto executor = QS_TRY(MakeExecutor(config, dir, clock));
  ComputeConfig compute_config;
  compute_config.policy.min_runtime = config.min_runtime_s;
  compute_config.policy.starvation_wait = config.starvation_wait_s;
  compute_config.grace_s = config.grace_s;
  compute_config.limits = lab_config.limits;
  Compute compute(*store, clock, *executor, compute_config);
  // One scheduler per lab: on PostgreSQL the replica holding the scheduler's advisory
  // lock; a SQLite lab has one server process, which always leads.
  std::unique_ptr<Leadership> leadership =
      db.postgres ? MakePostgresLeadership({db.name, 1})
                  : std::unique_ptr<Leadership>(std::make_unique<SoleLeadership>());
  compute.FollowLeadership(leadership.get());
  // Reattach to jobs that ran while the server was down before taking requests.
  QS_TRY_STATUS(compute.Tick());
  if (!compute.Leading()) {
    spdlog::info(
        "scheduler: another server leads the scheduling; this one serves the API "
        "and takes over should that one stop");
  }
  compute.StartLoop(std::chrono::milliseconds(config.scheduler_interval_ms));
  Mailer mailer;
  if (!config.mail_command.empty()) mailer = MakeCommandMailer(config.mail_command);
  if (mailer) lab.SetMailer(mailer);  // password reset codes
  // Labs made before the ledger get their key on first start.
  Record record(*store, clock, QS_TRY(LoadLedgerKey(dir.ledger_key().string(), true)));
  Identities identities(*store, clock, std::move(mailer));
  Rewards rewards(*store, clock);
  http::Api api(lab, &compute, &record, &identities, &rewards);
  api.UseWorkPool(config.hash_threads, static_cast<std::size_t>(config.hash_queue));
  http::ServerOptions server_options;
  server_options.host = host;
  server_options.port = port;
  server_options.threads = config.threads;
  server_options.body_limit = config.body_limit;
  server_options.max_connections_per_client = config.max_connections_per_client;
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
            << " (data " << dir.shown << ", signup "
            << (config.open_signup ? "open" : "invite-only") << ", "
            << AllGpus(executor->Nodes()).size() << " GPUs)\n"
            << std::flush;
  server->Wait();
  api.StopWorkPool();  // before the server's connections go
  compute.StopLoop();
  spdlog::info("qiusuo: stopped");
  return {};
}

}  // namespace qiusuo::server
