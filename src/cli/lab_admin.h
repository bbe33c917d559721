#pragma once
// Where a lab's data lives, and the verbs that move it: backup, restore, migrate.

#include <memory>
#include <string>

#include "cli/config.h"
#include "common/error.h"
#include "store/store.h"

namespace qiusuo::cli {

struct LabDatabase {
  std::string name;   // sqlite:PATH or a postgresql:// URL
  std::string where;  // how it came to be chosen, for messages
  int pool_size = 8;
  bool postgres = false;
};

// QIUSUO_DATABASE if set, else `database` in DATA/qiusuo.toml, else DATA/qiusuo.db.
Result<LabDatabase> FindLabDatabase(const std::string& data);
// The same, from a config already read.
LabDatabase FindLabDatabase(const std::string& data, const ServerConfig& config);

// Opens the lab's store. With `must_hold_a_lab`, refuses a database with nobody in
// it (a SQLite file that does not exist, or an empty PostgreSQL database).
Result<std::unique_ptr<Store>> OpenLabStore(const LabDatabase& db, bool must_hold_a_lab,
                                            const std::string& data);

// A consistent copy of the lab (database, ledger key, config) in a new directory,
// with a MANIFEST of the ledger's size and root. A PostgreSQL lab is copied into a
// SQLite file there, from one snapshot.
Status RunBackup(const std::string& data, const std::string& to);

// A backup into a new lab: DATA/qiusuo.db, or the empty database named by
// `database` (or QIUSUO_DATABASE). Checks the ledger's root against the MANIFEST.
Status RunRestore(const std::string& data, const std::string& from, const std::string& database);

// Copies a lab from one database to another, then checks every table's count and
// the ledger's root on both sides. Refuses a target that holds anything. With
// `data`, points DATA/qiusuo.toml at the target once the copy checks out.
Status RunMigrate(const std::string& from, const std::string& to, const std::string& data);

}  // namespace qiusuo::cli
