#include "store/postgres/pg_store.h"

#include <charconv>
#include <cstdlib>
#include <mutex>
#include <pqxx/pqxx>
#include <unordered_map>
#include <vector>

#include "store/migrations.h"
#include "store/pool.h"
#include "store/sql/sql_tx.h"

namespace qiusuo {
namespace {

// The advisory lock every write transaction and every migration holds ("qiusuo").
constexpr const char* kWriteLock = "SELECT pg_advisory_xact_lock(124957045187439)";

// The first line of a libpq/libpqxx message, without its "ERROR:  " prefix.
std::string OneLine(std::string_view what) {
  std::string line(what.substr(0, what.find('\n')));
  for (const std::string_view prefix : {"ERROR:  ", "FATAL:  "}) {
    if (line.starts_with(prefix)) line.erase(0, prefix.size());
  }
  while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
  return line;
}

Error SqlError(const pqxx::sql_error& e) {
  const std::string& state = e.sqlstate();
  const std::string msg = OneLine(e.what());
  if (state == "23505") return Error{ErrorCode::kAlreadyExists, msg, {}};
  if (state == "40001" || state == "40P01" || state.starts_with("08") || state == "57P01") {
    return Error{ErrorCode::kUnavailable, "the database is busy; try again (" + msg + ")", {}};
  }
  return Error{ErrorCode::kInternal, msg, {}};
}

// Rewrites `?` parameters as $1, $2, ... outside quoted literals and identifiers.
std::string NumberParameters(std::string_view sql) {
  std::string out;
  out.reserve(sql.size() + 16);
  int n = 0;
  char quote = 0;
  for (const char ch : sql) {
    if (quote) {
      if (ch == quote) quote = 0;
      out += ch;
    } else if (ch == '\'' || ch == '"') {
      quote = ch;
      out += ch;
    } else if (ch == '?') {
      out += '$' + std::to_string(++n);
    } else {
      out += ch;
    }
  }
  return out;
}

// One connection, its prepared statements, and the transaction running on it.
class Conn {
 public:
  explicit Conn(std::unique_ptr<pqxx::connection> c) : c_(std::move(c)) {}

  pqxx::connection& connection() { return *c_; }
  pqxx::transaction_base* tx = nullptr;

  // The name under which `sql` (a static string) is prepared on this connection.
  const std::string& Prepared(const char* sql) {
    auto it = names_.find(sql);
    if (it != names_.end()) return it->second;
    std::string name = "q" + std::to_string(names_.size());
    c_->prepare(name, NumberParameters(sql));
    return names_.emplace(sql, std::move(name)).first->second;
  }

 private:
  std::unique_ptr<pqxx::connection> c_;
  // Keyed by the address of the SQL literal: every statement is a static string.
  std::unordered_map<const char*, std::string> names_;
};

// A prepared statement in use, with the interface sql::SqlTx expects. Parameters go
// as text; PostgreSQL types them from where they stand in the statement.
class Stmt {
 public:
  Stmt(Conn& conn, const char* sql) : conn_(conn), sql_(sql) {}
  // A statement built at run time: sent with its parameters, never prepared by name.
  Stmt(Conn& conn, const std::string& sql, sql::OneOff /*unused*/)
      : conn_(conn), sql_(nullptr), one_off_(NumberParameters(sql)) {}
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;

  // Ready for another run with new parameters.
  void Reset() {
    params_.clear();
    ran_ = false;
    row_ = -1;
  }

  Stmt& Bind(std::int64_t v) {
    params_.emplace_back(std::to_string(v));
    return *this;
  }
  Stmt& Bind(std::string_view v) {
    params_.emplace_back(std::string(v));
    return *this;
  }
  Stmt& Bind(const char* v) { return Bind(std::string_view(v)); }
  Stmt& Bind(const std::string& v) { return Bind(std::string_view(v)); }
  Stmt& BindDouble(double v) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    params_.emplace_back(std::string(buf, ec == std::errc() ? end : buf));
    return *this;
  }
  Stmt& BindNull() {
    params_.emplace_back(std::nullopt);
    return *this;
  }
  template <typename T>
  Stmt& Bind(const std::optional<T>& v) {
    return v ? Bind(*v) : BindNull();
  }

  Result<bool> Step() {
    if (!ran_) {
      ran_ = true;
      if (conn_.tx == nullptr) return Internal("a statement ran outside a transaction");
      std::vector<const char*> values;
      values.reserve(params_.size());
      for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
      try {
        if (sql_ == nullptr) {
          result_ = conn_.tx->exec_params(one_off_, pqxx::prepare::make_dynamic_params(values));
        } else {
          const std::string& name = conn_.Prepared(sql_);
          result_ = conn_.tx->exec_prepared(name, pqxx::prepare::make_dynamic_params(values));
        }
      } catch (const pqxx::sql_error& e) {
        return std::unexpected(SqlError(e));
      } catch (const pqxx::broken_connection& e) {
        return Fail(ErrorCode::kUnavailable, "lost the database connection: " + OneLine(e.what()));
      } catch (const std::exception& e) {
        return Internal(OneLine(e.what()));
      }
      row_ = -1;
    }
    ++row_;
    return row_ < static_cast<long>(result_.size());
  }
  Status Run() {
    QS_TRY(Step());
    return {};
  }
  std::int64_t Changes() const { return static_cast<std::int64_t>(result_.affected_rows()); }

  std::int64_t Int(int col) const {
    const auto f = Field(col);
    std::int64_t v = 0;
    std::from_chars(f.c_str(), f.c_str() + f.size(), v);
    return v;
  }
  double Double(int col) const { return std::strtod(Field(col).c_str(), nullptr); }
  bool IsNull(int col) const { return Field(col).is_null(); }
  std::optional<std::int64_t> OptInt(int col) const {
    if (IsNull(col)) return std::nullopt;
    return Int(col);
  }
  std::string Text(int col) const {
    const auto f = Field(col);
    return std::string(f.c_str(), f.size());
  }

 private:
  pqxx::field Field(int col) const {
    return result_[static_cast<pqxx::result::size_type>(row_)][col];
  }

  Conn& conn_;
  const char* sql_;      // a static statement, prepared once per connection
  std::string one_off_;  // or one built at run time
  std::vector<std::optional<std::string>> params_;
  pqxx::result result_;
  bool ran_ = false;
  long row_ = -1;
};

struct PostgresDialect {
  static constexpr const char* kIdList =
      "SELECT CAST(value AS BIGINT) FROM json_array_elements_text(CAST(? AS json))";
  static constexpr const char* kColumns =
      "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
      "AND table_schema = current_schema() ORDER BY ordinal_position";
  // Rows copied in with their ids leave the identity behind; move it past them.
  static std::string ResetIds(std::string_view table) {
    const std::string t(table);
    return "SELECT setval(pg_get_serial_sequence('" + t + "', 'id'), COALESCE(MAX(id), 1), " +
           "MAX(id) IS NOT NULL) FROM " + t;
  }
};

using PgTx = sql::SqlTx<Conn, Stmt, PostgresDialect>;

class PostgresStore final : public Store {
 public:
  explicit PostgresStore(PostgresOptions options)
      : options_(std::move(options)), pool_(options_.pool_size, [this] { return Connect(); }) {}

  Result<std::unique_ptr<Conn>> Connect() {
    const std::string where = RedactDatabaseUrl(options_.url);
    try {
      auto c = std::make_unique<pqxx::connection>(options_.url);
      {
        pqxx::nontransaction quiet(*c);
        quiet.exec("SET client_min_messages TO WARNING");
      }
      return std::make_unique<Conn>(std::move(c));
    } catch (const pqxx::broken_connection& e) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot connect to the database " + where + ": " + OneLine(e.what()) +
                      "; check `database` in qiusuo.toml or QIUSUO_DATABASE");
    } catch (const std::exception& e) {
      return Fail(ErrorCode::kUnavailable,
                  "cannot connect to the database " + where + ": " + OneLine(e.what()));
    }
  }

  Status Migrate() {
    auto conn = QS_TRY(pool_.Acquire());
    Status migrated = ApplyMigrations(*conn);
    const bool healthy = migrated && conn->connection().is_open();
    pool_.Release(std::move(conn), healthy);
    return migrated;
  }

  Status ApplyMigrations(Conn& conn) {
    try {
      pqxx::work w(conn.connection());
      w.exec(kWriteLock);
      w.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations(version INTEGER PRIMARY KEY, "
          "name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
      const int current =
          w.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0].as<int>();
      const auto migrations = Migrations(Dialect::kPostgres);
      if (!migrations) return std::unexpected(migrations.error());
      const int newest = migrations->empty() ? 0 : migrations->back().version;
      if (current > newest) {
        return Fail(ErrorCode::kFailedPrecondition,
                    "the database " + RedactDatabaseUrl(options_.url) + " is at schema version " +
                        std::to_string(current) + " but this qiusuo knows versions up to " +
                        std::to_string(newest) + "; run a newer qiusuo");
      }
      for (const auto& m : *migrations) {
        if (m.version <= current) continue;
        w.exec(std::string(m.sql));
        w.exec_params(
            "INSERT INTO schema_migrations(version, name, applied_at) "
            "VALUES($1, $2, CAST(EXTRACT(EPOCH FROM now()) AS BIGINT))",
            m.version, std::string(m.name));
      }
      w.commit();
    } catch (const pqxx::sql_error& e) {
      return std::unexpected(Error{ErrorCode::kInternal,
                                   "cannot migrate the database " +
                                       RedactDatabaseUrl(options_.url) + ": " + OneLine(e.what()),
                                   {}});
    } catch (const std::exception& e) {
      return Fail(ErrorCode::kUnavailable, "cannot migrate the database " +
                                               RedactDatabaseUrl(options_.url) + ": " +
                                               OneLine(e.what()));
    }
    return {};
  }

  static std::unique_ptr<pqxx::transaction_base> Begin(Conn& conn, TxMode mode) {
    if (mode == TxMode::kRead) {
      return std::make_unique<pqxx::transaction<pqxx::repeatable_read, pqxx::read_only>>(
          conn.connection());
    }
    auto tx = std::make_unique<pqxx::work>(conn.connection());
    tx->exec(kWriteLock);
    return tx;
  }

  Status Transact(TxMode mode, const std::function<Status(Tx&)>& fn) override {
    auto conn = QS_TRY(pool_.Acquire());
    // An idle connection may have gone stale (the database restarted, a proxy closed
    // it). Nothing has run when BEGIN fails, so a fresh connection takes over, once.
    std::unique_ptr<pqxx::transaction_base> tx;
    try {
      tx = Begin(*conn, mode);
    } catch (const std::exception&) {
      pool_.Release(std::move(conn), false);
      conn = QS_TRY(pool_.Acquire());
    }
    Status result;
    try {
      if (!tx) tx = Begin(*conn, mode);
      conn->tx = tx.get();
      PgTx pg_tx(*conn);
      result = fn(pg_tx);
      conn->tx = nullptr;
      if (result) {
        tx->commit();
      } else {
        tx->abort();
      }
    } catch (const pqxx::sql_error& e) {
      result = std::unexpected(SqlError(e));
    } catch (const pqxx::in_doubt_error& e) {
      result = Fail(ErrorCode::kUnavailable,
                    "the connection broke while committing; the change may or may not have "
                    "been made: " +
                        OneLine(e.what()));
    } catch (const std::exception& e) {
      result = Fail(ErrorCode::kUnavailable, "database error: " + OneLine(e.what()));
    }
    tx.reset();  // an unfinished transaction rolls back here, before others get the connection
    conn->tx = nullptr;
    Release(std::move(conn));
    return result;
  }

  Result<int> SchemaVersion() override {
    auto conn = QS_TRY(pool_.Acquire());
    Result<int> version = 0;
    try {
      pqxx::read_transaction r(conn->connection());
      version = r.exec("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")[0][0].as<int>();
    } catch (const std::exception& e) {
      version = Fail(ErrorCode::kUnavailable, "database error: " + OneLine(e.what()));
    }
    Release(std::move(conn));
    return version;
  }

 private:
  // A broken connection is closed; the next Acquire opens a fresh one.
  void Release(std::unique_ptr<Conn> conn) {
    const bool healthy = conn->connection().is_open();
    pool_.Release(std::move(conn), healthy);
  }

  PostgresOptions options_;
  ConnectionPool<Conn> pool_;
};

// Leads while its own connection holds the scheduler's advisory lock; the lock goes
// with the connection, so a leader that dies (or loses the database) hands over.
class PostgresLeadership final : public Leadership {
 public:
  explicit PostgresLeadership(std::string url) : url_(std::move(url)) {}

  bool Lead() override {
    std::lock_guard lock(mu_);
    try {
      if (!conn_) conn_ = std::make_unique<pqxx::connection>(url_);
      pqxx::nontransaction w(*conn_);
      if (leading_) {
        // The lock is the session's: a live connection still holds it.
        w.exec("SELECT 1");
        return true;
      }
      leading_ = w.exec(kTryLock)[0][0].as<bool>();
      return leading_;
    } catch (const std::exception&) {
      // The connection (and any lock with it) is gone; a fresh one tries next time.
      conn_.reset();
      leading_ = false;
      return false;
    }
  }

 private:
  // Not the write lock's key: leading and writing are independent.
  static constexpr const char* kTryLock = "SELECT pg_try_advisory_lock(124957045187440)";
  const std::string url_;
  std::mutex mu_;                           // guards conn_, leading_
  std::unique_ptr<pqxx::connection> conn_;  // dedicated: never lent to a transaction
  bool leading_ = false;
};

}  // namespace

std::unique_ptr<Leadership> MakePostgresLeadership(const PostgresOptions& options) {
  return std::make_unique<PostgresLeadership>(options.url);
}

std::string RedactDatabaseUrl(std::string_view url) {
  std::string out(url);
  const auto scheme = out.find("://");
  if (scheme == std::string::npos) return out;
  const auto at = out.find('@', scheme + 3);
  const auto slash = out.find('/', scheme + 3);
  if (at == std::string::npos || (slash != std::string::npos && slash < at)) return out;
  const auto colon = out.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return out;
  return out.replace(colon + 1, at - colon - 1, "***");
}

Result<std::unique_ptr<Store>> OpenPostgresStore(const PostgresOptions& options) {
  const std::string_view url = options.url;
  if (!url.starts_with("postgresql://") && !url.starts_with("postgres://")) {
    return InvalidArgument("database",
                           "a PostgreSQL database is named by a URL like "
                           "postgresql://user@host:5432/qiusuo, not '" +
                               RedactDatabaseUrl(url) + "'");
  }
  if (options.pool_size < 1)
    return InvalidArgument("database_pool", "the connection pool needs at least 1 connection");
  auto store = std::make_unique<PostgresStore>(options);
  QS_TRY_STATUS(store->Migrate());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace qiusuo
