// The trace reader (sched/trace.h): any bytes as a trace file, both formats.
#include <cstdint>
#include <string_view>

#include "sched/trace.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view csv(reinterpret_cast<const char*>(data), size);
  qiusuo::sched::TraceOptions options;
  options.projects = 4;
  auto trace = qiusuo::sched::ParseTrace(csv, options);
  if (trace) {
    for (const auto& job : trace->jobs) {
      if (job.project < 0 || job.project >= static_cast<std::int64_t>(trace->projects.size()))
        __builtin_trap();  // a job whose project the trace does not list
    }
  }
  return 0;
}
