#pragma once
// The server's configuration file, <data>/qiusuo.toml: what `qiusuo serve` reads and
// `qiusuo init` writes.

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include "common/error.h"

namespace qiusuo::server {

// Which executor runs the lab's jobs. Each kind is built in one place,
// server.cc's MakeExecutor.
enum class ExecutorKind {
  kLocal,  // supervised processes on this machine's GPUs (or virtual slots)
  kSlurm,  // one Slurm job per run, pinned to the nodes the scheduler chose
};

struct ServerConfig {
  std::string listen = "127.0.0.1:8080";
  bool open_signup = true;
  int threads = 0;
  std::size_t body_limit = 1 << 20;
  int max_connections_per_client = 64;
  ExecutorKind executor = ExecutorKind::kLocal;
  int virtual_gpus = 8;  // GPU slots when nvidia-smi finds no GPU
  // executor = "slurm": see exec/slurm/slurm_executor.h.
  std::string slurm_partition = "qiusuo";
  std::string slurm_conf;  // empty: SLURM_CONF from the environment
  std::string shared_dir;  // the same path on the server and every node
  std::string slurm_job_prefix = "qs";
  int slurm_cpus_per_gpu = 0;
  long slurm_mem_per_gpu_mb = 0;
  long min_runtime_s = 600;       // no preemption of a run younger than this
  long starvation_wait_s = 3600;  // then the job next in line may preempt unlimited borrowers
  long grace_s = 30;              // a preempted or cancelled job's time to exit
  long scheduler_interval_ms = 1000;
  // Sends one email given as a message on stdin ("To:", "Subject:", a blank line, the
  // body), as `sendmail -t` reads it; empty: the lab sends no mail.
  std::string mail_command;
  // The database: empty for DIR/qiusuo.db (SQLite), or a postgresql:// URL.
  std::string database;
  int database_pool = 8;  // connections each server keeps (PostgreSQL)
  std::string web_root;   // the web UI's files; empty: found next to the binary
  // Which Unix account runs a member's job (exec/job_user.h): [job_users] (member
  // handle -> account), else with job_user_lookup the account named like the handle,
  // else job_user. Never the server's own account; root only with allow_root_jobs.
  std::string job_user;
  std::map<std::string, std::string> job_users;
  bool job_user_lookup = false;
  bool allow_root_jobs = false;
  // Each job's stdout and stderr log stops growing at this size (then one line says so).
  std::int64_t job_log_max_bytes = std::int64_t{1} << 30;
  // Where each job gets a directory of its own (WORK/<id>, its checkpoints); outside
  // the data directory, which jobs cannot enter. Empty: DATA/../<name of DATA>-work.
  std::string job_work_dir;
  // Accounts (see LabConfig). Password hashing runs on hash_threads threads of its
  // own (0: on the HTTP threads), at most hash_queue requests waiting, beyond which
  // sign-up and sign-in answer 503 with Retry-After.
  int hash_threads = 2;
  int hash_queue = 32;
  int signups_per_hour = 10;  // per client address
  long session_idle_s = 7L * 24 * 3600;
  long session_max_age_s = 30L * 24 * 3600;
  long api_token_idle_s = 90L * 24 * 3600;  // 0: API tokens never idle out
  long reset_code_ttl_s = 2L * 3600;
  // Abuse limits per member (the limit_* keys; service/limits.h): on requests and
  // storage only, never on the GPUs a job asks for or uses (no GPU quota, rule 3).
  int limit_pending_jobs = 1000;
  long limit_job_spec_bytes = 64 << 10;
  long limit_text_bytes = 20000;
  int limit_ideas_per_hour = 60;
  int limit_projects_per_hour = 20;
  int limit_entries_per_hour = 120;
};

// The unprivileged account scripts/install-deps creates for jobs; `qiusuo init`
// names it as job_user when this machine has it.
inline constexpr const char* kDefaultJobUser = "qiusuo-job";

// A missing file is the defaults; a malformed one, or a value out of range, is an
// error naming the file and the key.
Result<ServerConfig> LoadServerConfig(const std::string& path);
// `database`: the line to write, empty for the SQLite default.
Status WriteDefaultServerConfig(const std::string& path, const std::string& database = "");
// Points an existing config file at another database, keeping everything else.
Status SetConfigDatabase(const std::string& path, const std::string& database);

}  // namespace qiusuo::server
