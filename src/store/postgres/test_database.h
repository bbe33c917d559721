#pragma once
// For tests: a fresh, empty PostgreSQL database on the throwaway server that
// `make test` starts (scripts/test-postgres), dropped again when the object goes.
// The server's URL comes from QIUSUO_TEST_POSTGRES, or from the file that
// scripts/test-postgres writes while CTest's `postgres` fixture runs (its path is
// compiled in); without either, Available() is false and the PostgreSQL tests fail
// with kHowTo rather than pass untested.

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <pqxx/pqxx>
#include <string>

namespace qiusuo::test_support {

class TestDatabase {
 public:
  // The server URL, if the tests were given one.
  static std::optional<std::string> ServerUrl() {
    if (const char* url = std::getenv("QIUSUO_TEST_POSTGRES"); url && *url) return url;
#ifdef QIUSUO_TEST_POSTGRES_URL_FILE
    std::ifstream in(QIUSUO_TEST_POSTGRES_URL_FILE);
    std::string url;
    if (std::getline(in, url) && !url.empty()) return url;
#endif
    return std::nullopt;
  }
  static bool Available() { return ServerUrl().has_value(); }
  static constexpr const char* kHowTo =
      "no PostgreSQL for the tests: run them with `make test`, or set "
      "QIUSUO_TEST_POSTGRES=postgresql://user@host:port/postgres";

  TestDatabase() {
    static std::atomic<int> counter{0};
    server_ = ServerUrl().value_or("");
    name_ = "qs_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
    pqxx::connection c(server_);
    pqxx::nontransaction w(c);
    w.exec("DROP DATABASE IF EXISTS " + name_);
    w.exec("CREATE DATABASE " + name_);
  }
  ~TestDatabase() {
    try {
      pqxx::connection c(server_);
      pqxx::nontransaction w(c);
      w.exec("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    } catch (...) {  // the server is gone already: the cluster is thrown away anyway
    }
  }
  TestDatabase(const TestDatabase&) = delete;
  TestDatabase& operator=(const TestDatabase&) = delete;

  // The URL of this database.
  std::string Url() const { return server_.substr(0, server_.rfind('/') + 1) + name_; }

 private:
  std::string server_;
  std::string name_;
};

}  // namespace qiusuo::test_support
