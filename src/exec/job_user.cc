#include "exec/job_user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <optional>

namespace qiusuo {
namespace {

constexpr const char* kConfigure =
    "set job_user (an unprivileged account, e.g. qiusuo-job, which scripts/install-deps "
    "creates), [job_users] or job_user_lookup in qiusuo.toml";

std::optional<JobAccount> FindAccount(const std::string& name) {
  if (name.empty()) return std::nullopt;
  std::vector<char> buf(16384);
  passwd pw{};
  passwd* found = nullptr;
  if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
    return std::nullopt;
  JobAccount account{found->pw_name, found->pw_uid, found->pw_gid, {}, found->pw_dir};
  int count = 64;
  account.groups.resize(static_cast<std::size_t>(count));
  while (::getgrouplist(found->pw_name, found->pw_gid, account.groups.data(), &count) < 0) {
    account.groups.resize(static_cast<std::size_t>(count) + 64);
    count = static_cast<int>(account.groups.size());
  }
  account.groups.resize(static_cast<std::size_t>(count));
  return account;
}

std::string ServerAccountName() {
  if (const passwd* pw = ::getpwuid(::geteuid())) return pw->pw_name;
  return "uid " + std::to_string(::geteuid());
}

// Whether the server may run a job as `account`; why not, if not.
Status Usable(const JobUserConfig& config, const JobAccount& account, const std::string& where) {
  if (account.uid != 0 && account.uid == ::geteuid()) {
    return FailedPrecondition("the job account " + account.name + " (" + where +
                              ") is the server's own account: a job running as it could read "
                              "and change the lab's database and ledger key; " +
                              kConfigure);
  }
  if (account.uid == 0 && !config.allow_root) {
    return FailedPrecondition("the job account " + account.name + " (" + where +
                              ") is root; jobs run as root only with allow_root_jobs = true");
  }
  if (::geteuid() != 0) {
    return FailedPrecondition("the server runs as " + ServerAccountName() +
                              ", not as root, so it cannot switch to the job account " +
                              account.name +
                              "; start qiusuo serve as root (it runs each job as "
                              "its account, never as itself)");
  }
  return {};
}

}  // namespace

Result<JobAccount> ResolveJobAccount(const JobUserConfig& config, const std::string& member) {
  std::optional<JobAccount> account;
  std::string where;
  if (auto it = config.members.find(member); it != config.members.end()) {
    where = "[job_users] " + member;
    account = FindAccount(it->second);
    if (!account) {
      return FailedPrecondition("no Unix account " + it->second + " for @" + member + " (" + where +
                                " in qiusuo.toml)");
    }
  }
  if (!account && config.lookup) {
    account = FindAccount(member);
    where = "job_user_lookup";
  }
  if (!account && !config.job_user.empty()) {
    where = "job_user";
    account = FindAccount(config.job_user);
    if (!account) {
      return FailedPrecondition("no Unix account " + config.job_user +
                                " (job_user in qiusuo.toml); create it (useradd --system "
                                "--shell /usr/sbin/nologin " +
                                config.job_user + ") or name another");
    }
  }
  if (!account) {
    return FailedPrecondition("no Unix account to run @" + member +
                              "'s job as: jobs never run as the server's user; " + kConfigure);
  }
  QS_TRY_STATUS(Usable(config, *account, where));
  return *account;
}

Result<std::vector<std::string>> CheckJobUserConfig(const JobUserConfig& config) {
  std::vector<std::string> warnings;
  std::vector<std::pair<std::string, std::string>> named;  // account, where
  if (!config.job_user.empty()) named.emplace_back(config.job_user, "job_user");
  for (const auto& [member, name] : config.members)
    named.emplace_back(name, "[job_users] " + member);
  for (const auto& [name, where] : named) {
    const auto account = FindAccount(name);
    if (!account) {
      return FailedPrecondition(std::string("no Unix account ")
                                    .append(name)
                                    .append(" (")
                                    .append(where)
                                    .append(" in qiusuo.toml)"));
    }
    if (account->uid == 0 ? !config.allow_root : account->uid == ::geteuid()) {
      auto usable = Usable(config, *account, where);
      return std::unexpected(usable.error());
    }
  }
  if (named.empty() && !config.lookup) {
    warnings.push_back(std::string("no job user is configured, so every job will fail to start; ") +
                       kConfigure);
  } else if (::geteuid() != 0) {
    warnings.push_back("the server runs as " + ServerAccountName() +
                       ", not as root: it cannot switch to a job's account, so every job will "
                       "fail to start; start qiusuo serve as root");
  }
  if (config.allow_root) {
    warnings.push_back(
        "allow_root_jobs = true: a job mapped to root can read and change the "
        "whole lab");
  }
  return warnings;
}

}  // namespace qiusuo
