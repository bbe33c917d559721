#pragma once
// A lab's directory (`--data DIR`): the files in it, and where its database is.

#include <filesystem>
#include <memory>
#include <string>

#include "common/error.h"
#include "server/config.h"
#include "store/store.h"

namespace qiusuo::server {

// Every path is absolute, resolved once against the directory the command started
// in: the server's job supervisors change directory, and a relative path would then
// name another file.
struct LabDir {
  std::string shown;           // as the operator wrote it, for messages
  std::filesystem::path root;  // absolute

  std::filesystem::path config() const { return root / "qiusuo.toml"; }
  std::filesystem::path ledger_key() const { return root / "ledger.key"; }
  std::filesystem::path jobs() const { return root / "jobs"; }
  std::filesystem::path sqlite_db() const { return root / "qiusuo.db"; }
  // Each job's own directory lives in WORK/<id>: outside DATA, which jobs cannot
  // enter. `configured` (job_work_dir) if given, else DATA-work beside DATA.
  std::filesystem::path job_work(const std::string& configured) const {
    if (!configured.empty()) return configured;
    return root.parent_path() / (root.filename().string() + "-work");
  }
  // FILE in the directory as the operator wrote it, for messages.
  std::string Shown(const char* file) const {
    return (std::filesystem::path(shown) / file).string();
  }
};

LabDir ResolveLabDir(const std::string& data);

// Makes the lab's directory and files the server's alone: DATA 0700, and 0600 for
// the database (with its -wal and -shm), the ledger key and qiusuo.toml. Jobs run as
// other accounts (exec/job_user.h) and so can read or write none of it.
Status SecureLabDir(const LabDir& lab);

struct LabDatabase {
  std::string name;   // sqlite:PATH or a postgresql:// URL
  std::string shown;  // the name for messages, with DATA as the operator wrote it
  std::string where;  // how it came to be chosen, for messages
  int pool_size = 8;
  bool postgres = false;
};

// QIUSUO_DATABASE if set, else `database` in DATA/qiusuo.toml, else DATA/qiusuo.db.
Result<LabDatabase> FindLabDatabase(const LabDir& lab);
// The same, from a config already read.
LabDatabase FindLabDatabase(const LabDir& lab, const ServerConfig& config);

// Opens the lab's store. With `must_hold_a_lab`, refuses a database with nobody in
// it (a SQLite file that does not exist, or an empty PostgreSQL database).
Result<std::unique_ptr<Store>> OpenLabStore(const LabDatabase& db, bool must_hold_a_lab,
                                            const LabDir& lab);

}  // namespace qiusuo::server
