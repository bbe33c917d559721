#pragma once
// The embedded default store: one SQLite file in WAL mode, foreign keys on,
// prepared statements only, a small pool of connections so that readers run
// beside the one writer. Migrations are applied when the store opens.

#include <memory>
#include <string>

#include "store/store.h"

namespace qiusuo {

struct SqliteOptions {
  std::string path;   // the database file; created when missing
  int pool_size = 4;  // connections kept open
  int busy_timeout_ms = 10000;
};

// Opens (and migrates) the database. Refuses a database whose schema is newer than
// this binary knows.
Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

// A consistent copy of the database at `from`, taken with SQLite's online backup
// while a server may be writing to it, then checked with PRAGMA integrity_check.
// Refuses to overwrite an existing file.
Status BackupSqlite(const std::string& from, const std::string& to);

}  // namespace qiusuo
