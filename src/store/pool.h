#pragma once
// A bounded pool of database connections, shared by the SQLite and PostgreSQL stores:
// at most `size` open at once; a caller waits for one to come back when all are out.

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "common/error.h"

namespace qiusuo {

template <class Conn>
class ConnectionPool {
 public:
  using Connect = std::function<Result<std::unique_ptr<Conn>>()>;
  ConnectionPool(int size, Connect connect) : size_(size), connect_(std::move(connect)) {}

  // An idle connection, or a new one while fewer than `size` are open.
  Result<std::unique_ptr<Conn>> Acquire() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !idle_.empty() || open_ < size_; });
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return conn;
    }
    ++open_;
    lock.unlock();
    auto conn = connect_();
    if (!conn) Forget();
    return conn;
  }

  // Back for the next caller; or closed, when `healthy` is false.
  void Release(std::unique_ptr<Conn> conn, bool healthy = true) {
    if (!healthy) {
      conn.reset();
      Forget();
      return;
    }
    std::lock_guard lock(mu_);
    idle_.push_back(std::move(conn));
    cv_.notify_one();
  }

 private:
  void Forget() {
    std::lock_guard lock(mu_);
    --open_;
    cv_.notify_one();
  }

  const int size_;
  const Connect connect_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::unique_ptr<Conn>> idle_;  // guarded by mu_
  int open_ = 0;                             // guarded by mu_
};

}  // namespace qiusuo
