#include "server/lab_dir.h"

#include <cstdlib>

#include "store/open.h"

namespace qiusuo::server {
namespace fs = std::filesystem;

LabDir ResolveLabDir(const std::string& data) {
  std::error_code ec;
  fs::path root = fs::absolute(data, ec);
  if (ec) root = data;  // no current directory: the path is used as given
  return LabDir{data, root.lexically_normal()};
}

Status SecureLabDir(const LabDir& lab) {
  std::error_code ec;
  if (!fs::is_directory(lab.root, ec)) return {};  // no lab yet: opening it says so
  fs::permissions(lab.root, fs::perms::owner_all, fs::perm_options::replace, ec);
  if (ec)
    return Fail(ErrorCode::kUnavailable, "cannot make " + lab.shown + " 0700: " + ec.message());
  for (const char* file : {"qiusuo.db", "qiusuo.db-wal", "qiusuo.db-shm", "qiusuo.db-journal",
                           "ledger.key", "qiusuo.toml"}) {
    const fs::path path = lab.root / file;
    if (!fs::exists(fs::symlink_status(path, ec))) continue;
    fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace,
                    ec);
    if (ec) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot make " + lab.Shown(file) + " 0600: " + ec.message());
    }
  }
  return {};
}

Result<LabDatabase> FindLabDatabase(const LabDir& lab) {
  return FindLabDatabase(lab, QS_TRY(LoadServerConfig(lab.config().string())));
}

LabDatabase FindLabDatabase(const LabDir& lab, const ServerConfig& config) {
  LabDatabase db;
  db.pool_size = config.database_pool;
  if (const char* env = std::getenv("QIUSUO_DATABASE"); env && *env) {
    db.name = env;
    db.shown = DisplayDatabase(db.name);
    db.where = "QIUSUO_DATABASE";
  } else if (!config.database.empty()) {
    db.name = config.database;
    db.shown = DisplayDatabase(db.name);
    db.where = lab.Shown("qiusuo.toml");
  } else {
    db.name = "sqlite:" + lab.sqlite_db().string();
    db.shown = DisplayDatabase("sqlite:" + lab.Shown("qiusuo.db"));
    db.where = "the default";
  }
  db.postgres = IsPostgresUrl(db.name);
  return db;
}

Result<std::unique_ptr<Store>> OpenLabStore(const LabDatabase& db, bool must_hold_a_lab,
                                            const LabDir& lab) {
  const std::string hint = "create one with `qiusuo init --data " + lab.shown + "`";
  if (must_hold_a_lab && !db.postgres && !fs::exists(SqlitePath(db.name)))
    return FailedPrecondition("there is no lab in " + lab.shown + "; " + hint);
  auto store = QS_TRY(OpenDatabase(db.name, db.pool_size));
  if (must_hold_a_lab && db.postgres &&
      QS_TRY(Read(*store, [](Tx& tx) { return tx.CountMembers(); })) == 0) {
    return FailedPrecondition("the database " + db.shown + " (from " + db.where +
                              ") holds no lab; " + hint);
  }
  return store;
}

}  // namespace qiusuo::server
