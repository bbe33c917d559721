#pragma once
// A few threads with a bounded queue, for the API's slow routes (Argon2id password
// hashing): the HTTP threads hand such a request over and go on serving others.

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace qiusuo::http {

class WorkPool {
 public:
  // `threads` threads (>= 1) that run at a lower CPU priority than the HTTP threads
  // (nice +5), and room for `queue_limit` waiting tasks.
  WorkPool(int threads, std::size_t queue_limit);
  // Stop(), then the threads are joined.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  // Queues `task`; false (and `task` untouched) when the queue is full or the pool
  // has stopped.
  bool TrySubmit(std::function<void()>& task);
  // Lets the running tasks finish, drops the waiting ones (destroying them here) and
  // joins the threads. Idempotent.
  void Stop();

 private:
  void Work();

  const std::size_t queue_limit_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> threads_;
};

}  // namespace qiusuo::http
