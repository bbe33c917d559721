#pragma once
// The store for labs that outgrow one machine: PostgreSQL through libpqxx, with the
// same queries as SQLite (store/sql/sql_tx.h) and its own dialect of the migrations.
//
// Isolation: a read runs in a REPEATABLE READ, READ ONLY transaction (one snapshot,
// in parallel with everything). A write takes a transaction-scoped advisory lock
// first, so writes run one at a time across every connection and every server
// replica, as SQLite's single writer does; each statement then sees all that was
// committed before it. Migrations take the same lock, so replicas starting together
// apply them once.

#include <memory>
#include <string>

#include "store/leader.h"
#include "store/store.h"

namespace qiusuo {

struct PostgresOptions {
  std::string url;    // postgresql://user[:password]@host[:port]/database[?options]
  int pool_size = 8;  // connections kept open
};

// Connects, migrates and returns the store. A wrong URL, an unreachable server, a
// refused login or a schema newer than this binary each give one line naming what
// to fix; the password never appears in it.
Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options);

// The scheduler's leadership among the replicas on `options.url` (store/leader.h):
// pg_try_advisory_lock on a dedicated connection, held until that connection closes.
// Connects lazily: a database that is down means not leading, and trying again.
std::unique_ptr<Leadership> MakePostgresLeadership(const PostgresOptions& options);

// The URL with its password (if any) replaced by "***", for messages and logs.
std::string RedactDatabaseUrl(std::string_view url);

}  // namespace qiusuo
