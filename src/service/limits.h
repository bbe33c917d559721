#pragma once
// Limits per member on what one person may make the lab store, and how fast: pending
// jobs, the size of a job's command, the size of a text field, ideas, projects and
// ledger entries an hour. They come from the server's config (qiusuo.toml, the
// limit_* keys) and keep one member (or a stolen token) from filling the database.
//
// They bound requests and storage only. None of them is a GPU quota (DESIGN.md rule
// 3, "Uncapped"): nothing here looks at the GPUs a job asks for or uses; a job may
// still take the whole cluster, and fairness stays the scheduler's.
//
// Reaching one answers with the limit, its value and its config key: a size 413
// (kTooLarge), a count 422 (kInvalidArgument), a rate 429 (kResourceExhausted).

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/clock.h"
#include "common/error.h"

namespace qiusuo {

struct MemberLimits {
  int pending_jobs = 1000;                // limit_pending_jobs: a member's jobs not yet started
  std::size_t job_spec_bytes = 64 << 10;  // limit_job_spec_bytes: argv + env + workdir + name
  std::size_t text_bytes = 20000;         // limit_text_bytes: one pitch, description or note
  int ideas_per_hour = 60;                // limit_ideas_per_hour
  int projects_per_hour = 20;             // limit_projects_per_hour
  int entries_per_hour = 120;             // limit_entries_per_hour: entries a member posts
};

// `field` is `size` bytes, over `limit` (config key `key`): 413, naming all three.
inline Status CheckSize(std::string_view field, std::size_t size, std::size_t limit,
                        std::string_view key) {
  if (size <= limit) return {};
  return Fail(ErrorCode::kTooLarge,
              std::string(field) + " is " + std::to_string(size) + " bytes; the lab's limit is " +
                  std::to_string(limit) + " bytes (" + std::string(key) + " in qiusuo.toml)",
              std::string(field));
}

// `done` acts of `what` in the last hour, at the hourly `limit` (config key `key`): 429.
inline Status CheckRate(std::string_view what, std::int64_t done, int limit, std::string_view key) {
  if (done < limit) return {};
  return Fail(ErrorCode::kResourceExhausted,
              "you have made " + std::to_string(done) + " " + std::string(what) +
                  " in the last hour; the lab's limit is " + std::to_string(limit) + " an hour (" +
                  std::string(key) + " in qiusuo.toml); try again later");
}

// A sliding one-hour window of acts per member, in memory: for acts the store cannot
// count by member. A restart forgets, which errs on the member's side.
class HourlyRate {
 public:
  // Records an act of `member` at `now`, or refuses it (CheckRate's error) when the
  // member made `limit` in the hour before.
  Status Take(std::int64_t member, UnixSeconds now, int limit, std::string_view what,
              std::string_view key) {
    std::lock_guard lock(mu_);
    auto& times = acts_[member];
    while (!times.empty() && times.front() <= now - 3600) times.pop_front();
    QS_TRY_STATUS(CheckRate(what, static_cast<std::int64_t>(times.size()), limit, key));
    times.push_back(now);
    return {};
  }

 private:
  std::mutex mu_;  // guards acts_
  std::unordered_map<std::int64_t, std::deque<UnixSeconds>> acts_;
};

}  // namespace qiusuo
