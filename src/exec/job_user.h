#pragma once
// Which Unix account runs a member's job. A job is a guest: it never runs as the
// server's user (it could read the lab's database and ledger key) and never as root
// unless the operator says so. Both executors resolve the account here, on the
// server, before a run starts; the local supervisor then drops to it (groups, gid,
// uid) and the Slurm batch script does the same with setpriv.

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

#include "common/error.h"

namespace qiusuo {

// qiusuo.toml's job_user, [job_users] and job_user_lookup, allow_root_jobs.
struct JobUserConfig {
  std::string job_user;                        // one account for every job
  std::map<std::string, std::string> members;  // member handle -> account
  bool lookup = false;                         // the account named like the handle
  bool allow_root = false;                     // root jobs, only when said explicitly
};

struct JobAccount {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (initgroups's list), gid included
  std::string home;
};

// The account for `member`'s job: the [job_users] entry, else (with lookup) the
// account named like the handle, else job_user. Fails (failed_precondition, with
// what the operator should configure) when there is none, when it is the server's
// own account or root (unless allowed), or when the server cannot switch users
// (it is not root).
Result<JobAccount> ResolveJobAccount(const JobUserConfig& config, const std::string& member);

// For `qiusuo serve` at start-up: an error for an account named in the config that
// could never run a job (missing, root without allow_root_jobs, the server's own);
// otherwise warnings to log (no job user at all, a server that cannot switch users).
Result<std::vector<std::string>> CheckJobUserConfig(const JobUserConfig& config);

}  // namespace qiusuo
