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

}  // namespace qiusuo
