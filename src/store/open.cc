#include "store/open.h"

#include <unistd.h>

#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo {

bool IsPostgresUrl(std::string_view name) {
  return name.starts_with("postgresql://") || name.starts_with("postgres://");
}

std::string SqlitePath(std::string_view name) {
  if (name.starts_with("sqlite:")) name.remove_prefix(7);
  return std::string(name);
}

std::string DisplayDatabase(std::string_view name) {
  return IsPostgresUrl(name) ? RedactDatabaseUrl(name) : SqlitePath(name);
}

Result<std::unique_ptr<Store>> OpenDatabase(const std::string& name, int pool_size,
                                            bool must_exist) {
  if (IsPostgresUrl(name)) return OpenPostgresStore({name, pool_size});
  if (name.find("://") != std::string::npos) {
    return InvalidArgument("database", "'" + RedactDatabaseUrl(name) +
                                           "' is neither sqlite:PATH nor a postgresql:// URL");
  }
  const std::string path = SqlitePath(name);
  if (path.empty())
    return InvalidArgument("database", "sqlite: needs a file, as in sqlite:var/qiusuo.db");
  if (must_exist && ::access(path.c_str(), F_OK) != 0)
    return NotFound("there is no SQLite database at " + path);
  return OpenSqliteStore({path, std::max(pool_size, 1)});
}

}  // namespace qiusuo
