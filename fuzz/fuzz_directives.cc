// The CLI's text parsers (cli/parse.h): a job script's `#QIUSUO` directives, and the
// same bytes as a duration, a day, an amount, a reward weight and a gift.
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "cli/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream script(text);
  auto directives = qiusuo::cli::ParseScriptDirectives(script, "job.sh");
  if (directives && directives->time_limit &&
      !qiusuo::cli::ParseDuration(*directives->time_limit)) {
    __builtin_trap();  // the contract: time_limit is a valid ParseDuration text
  }
  const std::string_view line = std::string_view(text).substr(0, text.find('\n'));
  (void)qiusuo::cli::ParseDuration(line);
  (void)qiusuo::cli::ParseDay(line, "since");
  (void)qiusuo::cli::ParseUntil(line);
  (void)qiusuo::cli::ParseAmount(line);
  (void)qiusuo::cli::ParseWeight(line);
  (void)qiusuo::cli::ParseGift(line);
  return 0;
}
