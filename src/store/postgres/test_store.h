#pragma once
// For tests above the store (service, API): the store the test run asks for.
// QIUSUO_TEST_STORE=postgres gives a fresh database on the test PostgreSQL (see
// test_database.h); anything else a SQLite file in `dir`. CTest runs such test
// binaries once per store (qiusuo_test(... BOTH_STORES)).

#include <sqlite3.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "common/temp_dir.h"
#include "store/postgres/pg_store.h"
#include "store/postgres/test_database.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo::test_support {

inline bool TestingPostgres() {
  const char* which = std::getenv("QIUSUO_TEST_STORE");
  return which && std::string(which) == "postgres";
}

// A store that owns the test database it lives in, and closes before dropping it.
class OwningStore final : public Store {
 public:
  OwningStore(std::unique_ptr<TestDatabase> database, std::unique_ptr<Store> store)
      : database_(std::move(database)), store_(std::move(store)) {}
  ~OwningStore() override { store_.reset(); }
  Status Transact(TxMode mode, const std::function<Status(Tx&)>& fn) override {
    return store_->Transact(mode, fn);
  }
  Result<int> SchemaVersion() override { return store_->SchemaVersion(); }
  std::string Url() const { return database_->Url(); }

 private:
  std::unique_ptr<TestDatabase> database_;
  std::unique_ptr<Store> store_;
};

inline Result<std::unique_ptr<Store>> OpenTestStore(const TempDir& dir) {
  if (!TestingPostgres()) return OpenSqliteStore({dir.File("lab.db")});
  if (!TestDatabase::Available()) return Fail(ErrorCode::kUnavailable, TestDatabase::kHowTo);
  auto database = std::make_unique<TestDatabase>();
  auto store = QS_TRY(OpenPostgresStore({database->Url()}));
  return std::unique_ptr<Store>(
      std::make_unique<OwningStore>(std::move(database), std::move(store)));
}

// Runs SQL on the test's database behind the store's back, as someone with the
// database's keys could: `sqlite_sql` on the SQLite file, `postgres_sql` on PostgreSQL.
inline Status TamperBehindTheStore(const TempDir& dir, Store& store, const std::string& sqlite_sql,
                                   const std::string& postgres_sql) {
  if (auto* pg = dynamic_cast<OwningStore*>(&store)) {
    try {
      pqxx::connection c(pg->Url());
      pqxx::work w(c);
      w.exec(postgres_sql);
      w.commit();
    } catch (const std::exception& e) {
      return Internal(e.what());
    }
    return {};
  }
  sqlite3* db = nullptr;
  if (sqlite3_open(dir.File("lab.db").c_str(), &db) != SQLITE_OK) return Internal("cannot open");
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sqlite_sql.c_str(), nullptr, nullptr, &error);
  const std::string why = error ? error : "";
  sqlite3_free(error);
  sqlite3_close(db);
  if (rc != SQLITE_OK) return Internal(why);
  return {};
}

}  // namespace qiusuo::test_support
