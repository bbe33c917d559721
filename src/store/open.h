#pragma once
// Opens a store by name, as operators write it in qiusuo.toml or QIUSUO_DATABASE:
//   sqlite:PATH (or a bare PATH)                 the embedded default, one file
//   postgresql://user@host:port/db (postgres://)  PostgreSQL

#include <memory>
#include <string>
#include <string_view>

#include "store/store.h"

namespace qiusuo {

bool IsPostgresUrl(std::string_view name);
// The file of a SQLite name ("sqlite:var/qiusuo.db" -> "var/qiusuo.db").
std::string SqlitePath(std::string_view name);
// The name as it may be shown: a PostgreSQL password becomes "***".
std::string DisplayDatabase(std::string_view name);

// `pool_size` connections at most. A SQLite file is created when missing unless
// `must_exist`.
Result<std::unique_ptr<Store>> OpenDatabase(const std::string& name, int pool_size,
                                            bool must_exist = false);

}  // namespace qiusuo
