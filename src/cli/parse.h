#pragma once
// The CLI's parsers for what people type: durations, dates, amounts, and the
// #QIUSUO directive lines of a job script. Each returns an InvalidArgument error a
// person can act on; none throws, and none overflows on a long number.

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace qiusuo::cli {

// The longest duration accepted, in seconds (about 31,700 years).
inline constexpr std::int64_t kMaxDurationS = 999'999'999'999;

// "90" (seconds), "30s", "90m", "2h", "1d", or colon-separated "1:30:00" (h:m:s)
// and "90:00" (m:s) -> seconds. Field "time-limit".
Result<std::int64_t> ParseDuration(std::string_view text);

// "2026-12-31" -> the start of that day, UTC, in seconds since the epoch. `field`
// names the flag in the error.
Result<std::int64_t> ParseDay(std::string_view text, const char* field);

// "2026-12-31" (through the end of that day, UTC: the next day's start) or
// "2026-12-31T18:00:00Z" -> seconds since the epoch. Field "until".
Result<std::int64_t> ParseUntil(std::string_view text);

// "1234.56" or "1234" -> minor units (hundredths). Field "pool".
Result<std::int64_t> ParseAmount(std::string_view text);

// A reward weight as `--weight` takes it: "review=2" or "investigation=1,0.1"
// (per entry, per unit). Field "weight".
struct KindWeight {
  std::string kind;
  double per_entry = 0;
  double per_unit = 0;
};
Result<KindWeight> ParseWeight(std::string_view text);

// Points given in a round as `rewards give` takes them: "bob=60", "@bob=60:a note".
// Field "points".
struct Gift {
  std::string to;  // the handle, without '@'
  std::int64_t points = 0;
  std::string note;
};
Result<Gift> ParseGift(std::string_view text);

// What a job script's `#QIUSUO --flag value ...` lines say (as #SBATCH lines do for
// Slurm). A flag given twice: the later one counts; --env adds up.
struct ScriptDirectives {
  std::optional<std::int64_t> project;    // --project, -p
  std::optional<int> gpus;                // --gpus, -g
  std::optional<std::string> name;        // --name, -n
  std::optional<std::string> time_limit;  // --time-limit, -t (a valid ParseDuration text)
  std::vector<std::string> env;           // --env K=V
};

// Reads the directives in `script`; `path` names it in errors, with the line:
// "train.sh:3: '--gpus' takes a whole number, not 'two'". Every error is
// invalid_argument with the field kScriptField (the CLI exits 2 on it, as on a bad flag).
inline constexpr const char* kScriptField = "script";
Result<ScriptDirectives> ParseScriptDirectives(std::istream& script, const std::string& path);

}  // namespace qiusuo::cli
