#include "http/work_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace qiusuo::http {
namespace {

// Measured with scripts/bench-auth.sh on a busy 2-core machine: at +10 a GET's p99
// stayed lowest but sign-ins slowed tenfold when other work (a lab's local jobs, for
// one) wanted the CPU too; at 0 sign-ins kept their pace and the GETs still kept
// their p50. +5 is between.
constexpr int kNice = 5;

}  // namespace

WorkPool::WorkPool(int threads, std::size_t queue_limit) : queue_limit_(queue_limit) {
  for (int thread_idx = 0; thread_idx < std::max(1, threads); ++thread_idx) {
    threads_.emplace_back([this] { Work(); });
  }
}

WorkPool::~WorkPool() { Stop(); }

bool WorkPool::TrySubmit(std::function<void()>& task) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(task));
  }
  cv_.notify_one();
  return true;
}

void WorkPool::Stop() {
  std::deque<std::function<void()>> dropped;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    dropped.swap(queue_);
  }
  cv_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  dropped.clear();
}

void WorkPool::Work() {
  // Linux nices threads one by one: hashing yields the CPU to the HTTP threads. Best
  // effort; a failure leaves the thread at the normal priority.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), kNice);
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (stopping_) return;
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace qiusuo::http
