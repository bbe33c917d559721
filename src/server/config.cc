// The one place that reads and writes the server's toml++ file.
#include "server/config.h"

#include <pwd.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string_view>
#include <tuple>
#include <vector>

namespace qiusuo::server {
namespace fs = std::filesystem;

namespace {

// Every key qiusuo.toml may hold: anything else is a typo, refused rather than ignored
// (a misspelt `executor` would run the lab's jobs on the wrong machines).
constexpr auto kKnownKeys = std::to_array<std::string_view>({"listen",
                                                             "signup",
                                                             "threads",
                                                             "body_limit",
                                                             "executor",
                                                             "slurm_partition",
                                                             "slurm_conf",
                                                             "shared_dir",
                                                             "slurm_job_prefix",
                                                             "slurm_cpus_per_gpu",
                                                             "slurm_mem_per_gpu_mb",
                                                             "virtual_gpus",
                                                             "min_runtime_s",
                                                             "grace_s",
                                                             "starvation_wait_s",
                                                             "mail_command",
                                                             "database",
                                                             "web_root",
                                                             "database_pool",
                                                             "scheduler_interval_ms",
                                                             "job_user",
                                                             "job_users",
                                                             "job_user_lookup",
                                                             "allow_root_jobs",
                                                             "job_log_max_bytes",
                                                             "job_work_dir",
                                                             "max_connections_per_client",
                                                             "hash_threads",
                                                             "hash_queue",
                                                             "signups_per_hour",
                                                             "session_idle_s",
                                                             "session_max_age_s",
                                                             "api_token_idle_s",
                                                             "reset_code_ttl_s",
                                                             "limit_pending_jobs",
                                                             "limit_job_spec_bytes",
                                                             "limit_text_bytes",
                                                             "limit_ideas_per_hour",
                                                             "limit_projects_per_hour",
                                                             "limit_entries_per_hour"});

std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

Status CheckKeys(const toml::table& table, const std::string& path) {
  for (const auto& [key, value] : table) {
    const std::string_view name = key.str();
    if (std::find(kKnownKeys.begin(), kKnownKeys.end(), name) != kKnownKeys.end()) continue;
    std::string_view closest;
    std::size_t best = 3;  // suggest only a near miss
    for (std::string_view known : kKnownKeys) {
      if (const std::size_t d = EditDistance(name, known); d < best) {
        best = d;
        closest = known;
      }
    }
    std::string message = path + ": unknown key \"" + std::string(name) + "\"";
    if (!closest.empty()) message.append(" (did you mean \"").append(closest).append("\"?)");
    message += "; the keys and what they mean are in the README's Configuration table";
    return InvalidArgument(std::string(name), std::move(message));
  }
  return {};
}

// A Unix account or member handle as qiusuo.toml may name it: what useradd accepts.
bool ValidAccountName(std::string_view name) {
  if (name.empty() || name.size() > 32 || name[0] == '-') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  });
}

// job_user, [job_users], job_user_lookup, allow_root_jobs, job_log_max_bytes,
// job_work_dir.
Status LoadJobKeys(const toml::table& table, const std::string& path, ServerConfig& out) {
  const toml::node* job_user = table.get("job_user");
  if (job_user && !job_user->is_string())
    return InvalidArgument("job_user", path + ": job_user is a Unix account's name, in quotes");
  out.job_user = table["job_user"].value_or(std::string());
  if (!out.job_user.empty() && !ValidAccountName(out.job_user)) {
    return InvalidArgument("job_user", path + ": job_user \"" + out.job_user +
                                           "\" is not a Unix account name (letters, digits, "
                                           "_ - . and at most 32 characters)");
  }
  if (const toml::node* users = table.get("job_users")) {
    const toml::table* map = users->as_table();
    if (!map) {
      return InvalidArgument("job_users", path +
                                              ": job_users is a table, [job_users], of lines "
                                              "member = \"unix-account\"");
    }
    for (const auto& [member, account] : *map) {
      const std::string handle(member.str());
      const auto name = account.value<std::string>();
      if (!name || !ValidAccountName(*name)) {
        return InvalidArgument("job_users", std::string(path)
                                                .append(": [job_users] ")
                                                .append(handle)
                                                .append(" must name a Unix account, in quotes "
                                                        "(letters, digits, _ - .)"));
      }
      out.job_users[handle] = *name;
    }
  }
  for (const char* key : {"job_user_lookup", "allow_root_jobs"}) {
    if (const toml::node* flag = table.get(key); flag && !flag->is_boolean())
      return InvalidArgument(key, path + ": " + key + " is true or false");
  }
  out.job_user_lookup = table["job_user_lookup"].value_or(false);
  out.allow_root_jobs = table["allow_root_jobs"].value_or(false);
  out.job_log_max_bytes = table["job_log_max_bytes"].value_or(out.job_log_max_bytes);
  constexpr std::int64_t kMinLog = 4096;
  constexpr std::int64_t kMaxLog = std::int64_t{1} << 40;
  if (out.job_log_max_bytes < kMinLog || out.job_log_max_bytes > kMaxLog) {
    return InvalidArgument("job_log_max_bytes",
                           path + ": job_log_max_bytes is 4096 to 1099511627776 (1 TiB) bytes");
  }
  out.job_work_dir = table["job_work_dir"].value_or(std::string());
  if (!out.job_work_dir.empty() && out.job_work_dir[0] != '/') {
    return InvalidArgument("job_work_dir", path + ": job_work_dir is an absolute path");
  }
  return {};
}

}  // namespace

Result<ServerConfig> LoadServerConfig(const std::string& path) {
  ServerConfig out;
  if (!fs::exists(path)) return out;
  try {
    const auto table = toml::parse_file(path);
    QS_TRY_STATUS(CheckKeys(table, path));
    out.listen = table["listen"].value_or(out.listen);
    const std::string signup = table["signup"].value_or(std::string("open"));
    if (signup != "open" && signup != "invite") {
      return InvalidArgument("signup",
                             path + ": signup is \"open\" or \"invite\", not \"" + signup + "\"");
    }
    out.open_signup = signup == "open";
    out.threads = table["threads"].value_or(0);
    out.body_limit = table["body_limit"].value_or(static_cast<std::int64_t>(out.body_limit));
    out.max_connections_per_client =
        table["max_connections_per_client"].value_or(out.max_connections_per_client);
    if (out.max_connections_per_client < 1) {
      return InvalidArgument("max_connections_per_client",
                             path + ": max_connections_per_client is 1 or more");
    }
    const std::string executor = table["executor"].value_or(std::string("local"));
    if (executor != "local" && executor != "slurm") {
      return InvalidArgument(
          "executor", path + ": executor is \"local\" or \"slurm\", not \"" + executor + "\"");
    }
    out.executor = executor == "slurm" ? ExecutorKind::kSlurm : ExecutorKind::kLocal;
    out.slurm_partition = table["slurm_partition"].value_or(out.slurm_partition);
    out.slurm_conf = table["slurm_conf"].value_or(std::string());
    out.shared_dir = table["shared_dir"].value_or(std::string());
    out.slurm_job_prefix = table["slurm_job_prefix"].value_or(out.slurm_job_prefix);
    out.slurm_cpus_per_gpu = table["slurm_cpus_per_gpu"].value_or(out.slurm_cpus_per_gpu);
    out.slurm_mem_per_gpu_mb =
        table["slurm_mem_per_gpu_mb"].value_or(static_cast<std::int64_t>(out.slurm_mem_per_gpu_mb));
    if (out.executor == ExecutorKind::kSlurm) {
      if (out.shared_dir.empty() || out.shared_dir[0] != '/') {
        return InvalidArgument("shared_dir",
                               path +
                                   ": executor = \"slurm\" needs shared_dir, an absolute path "
                                   "the server and every node of the partition share");
      }
      if (out.slurm_partition.empty()) {
        return InvalidArgument("slurm_partition", path + ": slurm_partition is empty");
      }
      const bool prefix_ok =
          !out.slurm_job_prefix.empty() && out.slurm_job_prefix.size() <= 20 &&
          std::all_of(out.slurm_job_prefix.begin(), out.slurm_job_prefix.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
          });
      if (!prefix_ok) {
        return InvalidArgument("slurm_job_prefix",
                               path + ": slurm_job_prefix is 1 to 20 letters, digits or _");
      }
      if (out.slurm_cpus_per_gpu < 0 || out.slurm_mem_per_gpu_mb < 0) {
        return InvalidArgument("slurm_cpus_per_gpu",
                               path + ": slurm_cpus_per_gpu and slurm_mem_per_gpu_mb are >= 0");
      }
    }
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
    QS_TRY_STATUS(LoadJobKeys(table, path, out));
    out.hash_threads = table["hash_threads"].value_or(out.hash_threads);
    out.hash_queue = table["hash_queue"].value_or(out.hash_queue);
    if (out.hash_threads < 0 || out.hash_threads > 64 || out.hash_queue < 1) {
      return InvalidArgument("hash_threads",
                             path +
                                 ": hash_threads is 0 to 64 (0: hash on the HTTP threads) "
                                 "and hash_queue >= 1");
    }
    out.signups_per_hour = table["signups_per_hour"].value_or(out.signups_per_hour);
    if (out.signups_per_hour < 1) {
      return InvalidArgument("signups_per_hour", path + ": signups_per_hour is >= 1");
    }
    out.session_idle_s =
        table["session_idle_s"].value_or(static_cast<std::int64_t>(out.session_idle_s));
    out.session_max_age_s =
        table["session_max_age_s"].value_or(static_cast<std::int64_t>(out.session_max_age_s));
    out.api_token_idle_s =
        table["api_token_idle_s"].value_or(static_cast<std::int64_t>(out.api_token_idle_s));
    out.reset_code_ttl_s =
        table["reset_code_ttl_s"].value_or(static_cast<std::int64_t>(out.reset_code_ttl_s));
    constexpr long kYear = 366L * 24 * 3600;
    for (const auto& [key, value] : {std::pair{"session_idle_s", out.session_idle_s},
                                     std::pair{"session_max_age_s", out.session_max_age_s},
                                     std::pair{"reset_code_ttl_s", out.reset_code_ttl_s}}) {
      if (value < 60 || value > kYear) {
        return InvalidArgument(key, path + ": " + key + " is 60 s to a year (31622400)");
      }
    }
    if (out.api_token_idle_s < 0 || out.api_token_idle_s > 10 * kYear) {
      return InvalidArgument("api_token_idle_s",
                             path + ": api_token_idle_s is 0 (never) to ten years in seconds");
    }
    // Abuse limits per member; none of them is a GPU quota (rule 3).
    out.limit_pending_jobs = table["limit_pending_jobs"].value_or(out.limit_pending_jobs);
    out.limit_job_spec_bytes =
        table["limit_job_spec_bytes"].value_or(static_cast<std::int64_t>(out.limit_job_spec_bytes));
    out.limit_text_bytes =
        table["limit_text_bytes"].value_or(static_cast<std::int64_t>(out.limit_text_bytes));
    out.limit_ideas_per_hour = table["limit_ideas_per_hour"].value_or(out.limit_ideas_per_hour);
    out.limit_projects_per_hour =
        table["limit_projects_per_hour"].value_or(out.limit_projects_per_hour);
    out.limit_entries_per_hour =
        table["limit_entries_per_hour"].value_or(out.limit_entries_per_hour);
    for (const auto& [key, value, low] :
         {std::tuple<const char*, long, long>{"limit_pending_jobs", out.limit_pending_jobs, 1},
          {"limit_job_spec_bytes", out.limit_job_spec_bytes, 1024},
          {"limit_text_bytes", out.limit_text_bytes, 1000},
          {"limit_ideas_per_hour", out.limit_ideas_per_hour, 1},
          {"limit_projects_per_hour", out.limit_projects_per_hour, 1},
          {"limit_entries_per_hour", out.limit_entries_per_hour, 1}}) {
      if (value < low) {
        return InvalidArgument(key, path + ": " + key + " is at least " + std::to_string(low) +
                                        ", not " + std::to_string(value));
      }
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

namespace {
// The job accounts part of a new qiusuo.toml: job_user names qiusuo-job when this
// machine has it (scripts/install-deps makes it), else stays empty, and jobs are
// refused with a message saying what to set.
std::string JobUserSection() {
  const bool have_job_account = ::getpwnam(kDefaultJobUser) != nullptr;
  return std::string(R"(
# Each job's stdout and stderr log stops growing at this many bytes (1 GiB); one
# line then says so and the rest of the output is discarded; the job goes on.
job_log_max_bytes = 1073741824
# Each job's own directory (checkpoints) is WORK/<job id>, owned by its account.
# Empty: next to the data directory, DATA-work.
job_work_dir = ""

# Who runs the jobs. A job never runs as the server's user (it could read the
# database and the ledger key) and never as root unless allow_root_jobs = true.
# qiusuo serve runs as root and drops to the job's account for each job.
# [job_users] maps a member to an account (ada = "ada"); job_user_lookup = true
# uses the account named like the member's handle; otherwise job_user, one
# unprivileged account for every job (scripts/install-deps creates qiusuo-job).
job_user = ")") +
         (have_job_account ? kDefaultJobUser : "") + R"("
job_user_lookup = false
allow_root_jobs = false
# A table: keep it last in this file.
# [job_users]
# ada = "ada"
)";
}
}  // namespace

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

# Open connections one client address may hold; more are answered 503 and closed.
# Behind a proxy every client has the proxy's address: raise it there.
max_connections_per_client = 64

# What runs the jobs: "local", supervised processes on this machine, or "slurm", one
# Slurm job per run on the partition below, pinned to the nodes Qiusuo's scheduler
# chose (see "Running on Slurm" in the README).
executor = "local"
# Slurm only. The partition whose nodes and GPUs Qiusuo schedules (only its jobs).
slurm_partition = "qiusuo"
# slurm.conf for the Slurm commands; empty: SLURM_CONF, else Slurm's default.
slurm_conf = ""
# A directory the server and every node see at the same path (NFS, for example):
# job output, checkpoints (QIUSUO_CHECKPOINT_DIR) and each run's exit status.
shared_dir = ""
# Slurm job names are "<prefix>-<job>-<run>"; two labs on one partition need two prefixes.
slurm_job_prefix = "qs"
# Asked of Slurm per GPU; 0 leaves it to Slurm's defaults (DefCpuPerGPU, DefMemPerGPU).
slurm_cpus_per_gpu = 0
slurm_mem_per_gpu_mb = 0

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

# Accounts. Password hashing (Argon2id, 64 MiB each) runs on this many threads of its
# own, so that sign-ins do not slow everyone else; 0 hashes on the HTTP threads. At
# most hash_queue sign-ins wait; more get 503 with Retry-After.
hash_threads = 2
hash_queue = 32
# Sign-ups accepted per client address per hour.
signups_per_hour = 10
# A session from signing in ends after this long unused, and this long after sign-in.
session_idle_s = 604800
session_max_age_s = 2592000
# An API token (`qiusuo token create`) ends after this long unused; 0: never.
api_token_idle_s = 7776000
# How long a password reset code (mailed, or issued by a steward) stays valid.
reset_code_ttl_s = 7200

# Limits per member, against abuse: what one member (or a stolen token) may make the
# lab store, and how fast. They bound requests and storage only; none of them is a GPU
# quota (there is none: a job may take the whole cluster). Reaching one answers 413
# (a size), 422 (a count) or 429 (a rate), naming the key to raise here.
# Jobs a member has waiting for their first start.
limit_pending_jobs = 1000
# Bytes of one job's argv, env, workdir and name together.
limit_job_spec_bytes = 65536
# Bytes of one text field: an idea's or project's pitch, a task's description, a note.
limit_text_bytes = 20000
# Ideas, projects and ledger entries one member may post an hour.
limit_ideas_per_hour = 60
limit_projects_per_hour = 20
limit_entries_per_hour = 120
)" << JobUserSection();
  return {};
}

}  // namespace qiusuo::server
