// The one place that reads and writes the server's toml++ file.
#include "server/config.h"

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
constexpr std::array<std::string_view, 26> kKnownKeys = {"listen",
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
                                                         "limit_pending_jobs",
                                                         "limit_job_spec_bytes",
                                                         "limit_text_bytes",
                                                         "limit_ideas_per_hour",
                                                         "limit_projects_per_hour",
                                                         "limit_entries_per_hour"};

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
)";
  return {};
}

}  // namespace qiusuo::server
