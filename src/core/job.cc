#include "core/job.h"

#include <array>

namespace qiusuo {
namespace {
constexpr std::array<std::string_view, 6> kNames = {"pending",   "running", "preempted",
                                                    "succeeded", "failed",  "cancelled"};
}

std::string_view JobStateName(JobState state) { return kNames[static_cast<std::size_t>(state)]; }

std::optional<JobState> ParseJobState(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<JobState>(i);
  }
  return std::nullopt;
}

}  // namespace qiusuo
