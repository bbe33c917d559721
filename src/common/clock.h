#pragma once
// Time comes in through Clock so that tests advance a fake one (Envoy's TimeSource).

#include <atomic>
#include <cstdint>
#include <string>

namespace qiusuo {

// Seconds since the Unix epoch, UTC.
using UnixSeconds = std::int64_t;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual UnixSeconds Now() const = 0;
};

class SystemClock final : public Clock {
 public:
  UnixSeconds Now() const override;
};

class FakeClock final : public Clock {
 public:
  explicit FakeClock(UnixSeconds start) : now_(start) {}
  UnixSeconds Now() const override { return now_.load(); }
  void Advance(std::int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<UnixSeconds> now_;
};

// "2026-11-30T07:47:44Z"
std::string FormatRfc3339(UnixSeconds t);

}  // namespace qiusuo
