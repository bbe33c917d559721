#pragma once
// The verbs that act on a lab's files rather than through its server: backup,
// restore, migrate, and exporting the ledger straight from the database. They
// report progress on stderr and the outcome on stdout.

#include <cstdint>
#include <ostream>
#include <string>

#include "common/error.h"

namespace qiusuo::server {

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

// Writes the lab's ledger as JSON Lines, then a fresh checkpoint signed with the
// lab's key, reading the database in DATA directly. Returns the lines written.
Result<std::int64_t> ExportLabLedger(const std::string& data, std::ostream& out);

}  // namespace qiusuo::server
