#include "store/sqlite/sqlite_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <map>
#include <sstream>
#include <unordered_map>

#include "store/migrations.h"
#include "store/pool.h"
#include "store/sql/sql_tx.h"

namespace qiusuo {
namespace {

Error SqliteError(sqlite3* db, int rc, std::string_view what) {
  const int primary = rc & 0xff;
  std::string msg = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  if (primary == SQLITE_CONSTRAINT &&
      (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)) {
    return Error{ErrorCode::kAlreadyExists, msg, {}};
  }
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return Error{ErrorCode::kUnavailable, "the database is busy; try again (" + msg + ")", {}};
  }
  return Error{ErrorCode::kInternal, msg, {}};
}

// One connection and its cache of prepared statements.
class Conn {
 public:
  explicit Conn(sqlite3* db) : db_(db) {}
  ~Conn() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
  }
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  sqlite3* db() const { return db_; }

  Result<sqlite3_stmt*> Prepare(const char* sql) {
    if (auto it = cache_.find(sql); it != cache_.end()) return it->second;
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return std::unexpected(SqliteError(db_, rc, "prepare"));
    cache_.emplace(sql, stmt);
    return stmt;
  }

  Status Exec(const char* sql) {
    char* err = nullptr;
    const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
      Error e = SqliteError(db_, rc, sql);
      sqlite3_free(err);
      return std::unexpected(e);
    }
    return {};
  }

 private:
  sqlite3* db_;
  // Keyed by the address of the SQL literal: every statement is a static string.
  std::unordered_map<const char*, sqlite3_stmt*> cache_;
};

// A prepared statement in use: binds in order, steps, reads columns; resets itself.
class Stmt {
 public:
  Stmt(Conn& conn, const char* sql) : conn_(conn) {
    auto prepared = conn.Prepare(sql);
    if (prepared)
      stmt_ = *prepared;
    else
      error_ = prepared.error();
  }
  // A statement built at run time: prepared for this use only, never cached.
  Stmt(Conn& conn, const std::string& sql, sql::OneOff /*unused*/) : conn_(conn), owned_(true) {
    const int rc = sqlite3_prepare_v2(conn.db(), sql.c_str(), -1, &stmt_, nullptr);
    if (rc != SQLITE_OK) error_ = SqliteError(conn.db(), rc, "prepare");
  }
  ~Stmt() {
    if (owned_) {
      sqlite3_finalize(stmt_);
    } else if (stmt_) {
      sqlite3_reset(stmt_);
      sqlite3_clear_bindings(stmt_);
    }
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Ready for another run with new parameters.
  void Reset() {
    if (!stmt_) return;
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    index_ = 0;
  }

  Stmt& Bind(std::int64_t v) {
    if (stmt_) Check(sqlite3_bind_int64(stmt_, ++index_, v));
    return *this;
  }
  Stmt& Bind(std::string_view v) {
    if (stmt_)
      Check(sqlite3_bind_text(stmt_, ++index_, v.data(), static_cast<int>(v.size()),
                              SQLITE_TRANSIENT));
    return *this;
  }
  Stmt& Bind(const char* v) { return Bind(std::string_view(v)); }
  Stmt& Bind(const std::string& v) { return Bind(std::string_view(v)); }
  Stmt& BindDouble(double v) {
    if (stmt_) Check(sqlite3_bind_double(stmt_, ++index_, v));
    return *this;
  }
  Stmt& BindNull() {
    if (stmt_) Check(sqlite3_bind_null(stmt_, ++index_));
    return *this;
  }
  template <typename T>
  Stmt& Bind(const std::optional<T>& v) {
    return v ? Bind(*v) : BindNull();
  }

  // True when a row is ready to read, false when done.
  Result<bool> Step() {
    if (!error_.message.empty()) return std::unexpected(error_);
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return std::unexpected(SqliteError(conn_.db(), sqlite3_extended_errcode(conn_.db()), "step"));
  }
  Status Run() {
    QS_TRY(Step());
    return {};
  }

  // Rows the last INSERT, UPDATE or DELETE changed.
  std::int64_t Changes() const { return sqlite3_changes(conn_.db()); }

  std::int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::optional<std::int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }
  std::string Text(int col) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK && error_.message.empty()) error_ = SqliteError(conn_.db(), rc, "bind");
  }

  Conn& conn_;
  sqlite3_stmt* stmt_ = nullptr;
  bool owned_ = false;
  int index_ = 0;
  Error error_{ErrorCode::kInternal, "", ""};
};

struct SqliteDialect {
  static constexpr const char* kIdList = "SELECT value FROM json_each(?)";
  static constexpr const char* kColumns = "SELECT name FROM pragma_table_info(?) ORDER BY cid";
  static std::string ResetIds(std::string_view /*table*/) { return ""; }  // rowids follow MAX
};

using SqliteTx = sql::SqlTx<Conn, Stmt, SqliteDialect>;

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(SqliteOptions options)
      : options_(std::move(options)), pool_(options_.pool_size, [this] { return Connect(); }) {}

  Result<std::unique_ptr<Conn>> Connect() {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(options_.path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
      Error e{ErrorCode::kUnavailable,
              "cannot open the database " + options_.path + ": " +
                  (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)),
              {}};
      sqlite3_close_v2(db);
      return std::unexpected(e);
    }
    auto conn = std::make_unique<Conn>(db);
    sqlite3_busy_timeout(db, options_.busy_timeout_ms);
    sqlite3_extended_result_codes(db, 1);
    QS_TRY_STATUS(conn->Exec("PRAGMA journal_mode=WAL"));
    QS_TRY_STATUS(conn->Exec("PRAGMA foreign_keys=ON"));
    QS_TRY_STATUS(conn->Exec("PRAGMA synchronous=NORMAL"));
    return conn;
  }

  Status Migrate() {
    auto conn = QS_TRY(pool_.Acquire());
    QS_TRY_STATUS(
        conn->Exec("CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
                   "name TEXT NOT NULL, applied_at BIGINT NOT NULL)"));
    QS_TRY_STATUS(conn->Exec("BEGIN IMMEDIATE"));
    auto applied = ApplyMigrations(*conn);
    if (!applied) {
      (void)conn->Exec("ROLLBACK");
      return applied;
    }
    QS_TRY_STATUS(conn->Exec("COMMIT"));
    pool_.Release(std::move(conn));
    return {};
  }

  Status Transact(TxMode mode, const std::function<Status(Tx&)>& fn) override {
    auto conn = QS_TRY(pool_.Acquire());
    Status result = RunTx(*conn, mode, fn);
    pool_.Release(std::move(conn));
    return result;
  }

  Result<int> SchemaVersion() override {
    auto conn = QS_TRY(pool_.Acquire());
    Result<int> version = ReadVersion(*conn);
    pool_.Release(std::move(conn));
    return version;
  }

 private:
  static Result<int> ReadVersion(Conn& conn) {
    Stmt s(conn, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
    QS_TRY(s.Step());
    return static_cast<int>(s.Int(0));
  }

  static Status ApplyMigrations(Conn& conn) {
    const int current = QS_TRY(ReadVersion(conn));
    const auto migrations = QS_TRY(SqliteMigrations());
    const int newest = migrations.empty() ? 0 : migrations.back().version;
    if (current > newest) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the database is at schema version " + std::to_string(current) +
                      " but this qiusuo knows versions up to " + std::to_string(newest) +
                      "; run a newer qiusuo");
    }
    for (const auto& m : migrations) {
      if (m.version <= current) continue;
      QS_TRY_STATUS(conn.Exec(std::string(m.sql).c_str()));
      Stmt s(conn,
             "INSERT INTO schema_migrations(version, name, applied_at) "
             "VALUES(?, ?, strftime('%s','now'))");
      s.Bind(std::int64_t{m.version}).Bind(m.name);
      QS_TRY_STATUS(s.Run());
    }
    return {};
  }

  static Status RunTx(Conn& conn, TxMode mode, const std::function<Status(Tx&)>& fn) {
    QS_TRY_STATUS(conn.Exec(mode == TxMode::kWrite ? "BEGIN IMMEDIATE" : "BEGIN"));
    SqliteTx tx(conn);
    Status result = fn(tx);
    if (result) {
      auto committed = conn.Exec("COMMIT");
      if (committed) return {};
      result = committed;
    }
    (void)conn.Exec("ROLLBACK");
    return result;
  }

  SqliteOptions options_;
  ConnectionPool<Conn> pool_;

  friend Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions&);
};

}  // namespace

Result<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  auto store = std::make_unique<SqliteStore>(options);
  QS_TRY_STATUS(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

Status BackupSqlite(const std::string& from, const std::string& to) {
  if (::access(to.c_str(), F_OK) == 0)
    return FailedPrecondition(to + " exists; a backup never overwrites anything");
  sqlite3* src = nullptr;
  sqlite3* dst = nullptr;
  auto close = [&] {
    sqlite3_close(src);
    sqlite3_close(dst);
  };
  if (sqlite3_open_v2(from.c_str(), &src, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    close();
    return Fail(ErrorCode::kUnavailable, "cannot open " + from);
  }
  if (sqlite3_open(to.c_str(), &dst) != SQLITE_OK) {
    close();
    return Fail(ErrorCode::kUnavailable, "cannot create " + to);
  }
  sqlite3_busy_timeout(src, 10000);
  sqlite3_backup* backup = sqlite3_backup_init(dst, "main", src, "main");
  if (!backup) {
    const std::string why = sqlite3_errmsg(dst);
    close();
    return Fail(ErrorCode::kUnavailable, "cannot back up " + from + ": " + why);
  }
  // A few hundred pages at a time, so a busy server's writers are not held up.
  int rc = SQLITE_OK;
  do {
    rc = sqlite3_backup_step(backup, 256);
    if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED) sqlite3_sleep(20);
  } while (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    const std::string why = sqlite3_errstr(rc);
    close();
    return Fail(ErrorCode::kUnavailable, "the backup of " + from + " failed: " + why);
  }
  sqlite3_stmt* check = nullptr;
  std::string verdict;
  if (sqlite3_prepare_v2(dst, "PRAGMA integrity_check", -1, &check, nullptr) == SQLITE_OK &&
      sqlite3_step(check) == SQLITE_ROW) {
    verdict = reinterpret_cast<const char*>(sqlite3_column_text(check, 0));
  }
  sqlite3_finalize(check);
  close();
  if (verdict != "ok")
    return Internal("the backup " + to + " fails its integrity check: " + verdict);
  return {};
}

}  // namespace qiusuo
