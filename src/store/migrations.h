#pragma once
// Versioned schema migrations, compiled in from store/migrations/: a version is written
// once in common/ when both dialects read it, or once per dialect in sqlite/ and
// postgres/ when they do not.

#include <string_view>
#include <vector>

#include "common/error.h"

namespace qiusuo {

struct Migration {
  int version;
  std::string_view name;
  std::string_view sql;
};

enum class Dialect { kSqlite, kPostgres };

// In ascending version order; fails if a file name is not NNNN_name.sql, if a version
// is both common and the dialect's, or if versions are not 1, 2, 3, ... without gaps.
Result<std::vector<Migration>> Migrations(Dialect dialect);
inline Result<std::vector<Migration>> SqliteMigrations() { return Migrations(Dialect::kSqlite); }

}  // namespace qiusuo
