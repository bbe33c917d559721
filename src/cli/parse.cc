#include "cli/parse.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <sstream>

namespace qiusuo::cli {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// A whole number of at most `max_digits` digits, or nothing.
template <typename Int>
std::optional<Int> Number(std::string_view digits, std::size_t max_digits) {
  if (!AllDigits(digits) || digits.size() > max_digits) return std::nullopt;
  Int value = 0;
  const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return value;
}

// "YYYY-MM-DD" (month and day may have one digit) -> the day's start, UTC.
std::optional<std::int64_t> DayStart(std::string_view text) {
  const auto first = text.find('-');
  const auto second = first == std::string_view::npos ? first : text.find('-', first + 1);
  if (second == std::string_view::npos || first != 4) return std::nullopt;
  const auto year = Number<int>(text.substr(0, first), 4);
  const auto month = Number<unsigned>(text.substr(first + 1, second - first - 1), 2);
  const auto day = Number<unsigned>(text.substr(second + 1), 2);
  if (!year || !month || !day) return std::nullopt;
  const std::chrono::year_month_day date{std::chrono::year(*year), std::chrono::month(*month),
                                         std::chrono::day(*day)};
  if (!date.ok()) return std::nullopt;
  return std::chrono::sys_seconds(std::chrono::sys_days(date)).time_since_epoch().count();
}

// "HH:MM:SS" -> seconds into the day.
std::optional<std::int64_t> TimeOfDay(std::string_view text) {
  if (text.size() != 8 || text[2] != ':' || text[5] != ':') return std::nullopt;
  const auto hours = Number<int>(text.substr(0, 2), 2);
  const auto minutes = Number<int>(text.substr(3, 2), 2);
  const auto seconds = Number<int>(text.substr(6, 2), 2);
  if (!hours || !minutes || !seconds || *hours > 23 || *minutes > 59 || *seconds > 59)
    return std::nullopt;
  return *hours * 3600 + *minutes * 60 + *seconds;
}

}  // namespace

Result<std::int64_t> ParseDuration(std::string_view text) {
  const auto invalid = [&] {
    return InvalidArgument("time-limit",
                           "'" + std::string(text) + "' is not a duration like 2h, 90m or 1:30:00");
  };
  const auto too_long = [&] {
    return InvalidArgument("time-limit", "'" + std::string(text) +
                                             "' is longer than any job runs (at most " +
                                             std::to_string(kMaxDurationS) + " seconds)");
  };
  if (text.find(':') != std::string_view::npos) {
    std::int64_t total = 0;
    std::size_t start = 0;
    while (true) {
      const auto colon = text.find(':', start);
      const std::string_view part = text.substr(start, colon - start);
      if (!AllDigits(part)) return invalid();
      const auto value = Number<std::int64_t>(part, 12);
      if (!value || total > (kMaxDurationS - *value) / 60) return too_long();
      total = total * 60 + *value;
      if (colon == std::string_view::npos) break;
      start = colon + 1;
    }
    return total;
  }
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  const std::string_view unit = text.substr(digits);
  if (digits == 0 || !(unit.empty() || unit == "s" || unit == "m" || unit == "h" || unit == "d"))
    return invalid();
  if (digits > 12) return too_long();
  const auto n = Number<std::int64_t>(text.substr(0, digits), 12);
  if (!n) return invalid();
  const std::int64_t scale = unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 1;
  if (*n > kMaxDurationS / scale) return too_long();
  return *n * scale;
}

Result<std::int64_t> ParseDay(std::string_view text, const char* field) {
  const auto start = DayStart(text);
  if (!start)
    return InvalidArgument(field, "'" + std::string(text) + "' is not a date like 2026-12-31");
  return *start;
}

Result<std::int64_t> ParseUntil(std::string_view text) {
  const auto t = text.find('T');
  if (t == std::string_view::npos) {
    const auto start = DayStart(text);
    if (start) return *start + 86400;
  } else if (text.ends_with('Z')) {
    const auto start = DayStart(text.substr(0, t));
    const auto time = TimeOfDay(text.substr(t + 1, text.size() - t - 2));
    if (start && time) return *start + *time;
  }
  return InvalidArgument("until", "'" + std::string(text) + "' is not a date like 2026-12-31");
}

Result<std::int64_t> ParseAmount(std::string_view text) {
  const auto dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  const auto units = Number<std::int64_t>(whole, 15);
  const auto cents = frac.empty() ? std::optional<std::int64_t>(0) : Number<std::int64_t>(frac, 2);
  if (!units || !cents)
    return InvalidArgument("pool",
                           "'" + std::string(text) + "' is not an amount like 10000 or 10000.50");
  return *units * 100 + *cents * (frac.size() == 1 ? 10 : 1);
}

namespace {
// A finite decimal number, all of `text`.
std::optional<double> Decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  double value = 0;
  const char* first = &text.front();
  const char* last = first + text.size();
  const auto [ptr, ec] = std::from_chars(first, last, value);
  if (ec != std::errc() || ptr != last || !std::isfinite(value)) return std::nullopt;
  return value;
}
}  // namespace

Result<KindWeight> ParseWeight(std::string_view text) {
  const auto eq = text.find('=');
  const std::string_view numbers = eq == std::string_view::npos ? "" : text.substr(eq + 1);
  const auto comma = numbers.find(',');
  const auto per_entry = Decimal(numbers.substr(0, comma));
  const auto per_unit = comma == std::string_view::npos ? std::optional<double>(0)
                                                        : Decimal(numbers.substr(comma + 1));
  if (eq == 0 || eq == std::string_view::npos || !per_entry || !per_unit) {
    return InvalidArgument("weight", "'" + std::string(text) +
                                         "' is not KIND=PER_ENTRY[,PER_UNIT], like review=2 "
                                         "or investigation=1,0.1");
  }
  return KindWeight{std::string(text.substr(0, eq)), *per_entry, *per_unit};
}

Result<Gift> ParseGift(std::string_view text) {
  const auto eq = text.find('=');
  std::string_view to = text.substr(0, eq);
  if (to.starts_with('@')) to.remove_prefix(1);
  const std::string_view rest = eq == std::string_view::npos ? "" : text.substr(eq + 1);
  const auto colon = rest.find(':');
  const auto points = Number<std::int64_t>(rest.substr(0, colon), 18);
  if (eq == std::string_view::npos || to.empty() || !points) {
    return InvalidArgument("points", "'" + std::string(text) +
                                         "' is not HANDLE=POINTS[:note], like bob=60:\"fixed the "
                                         "NCCL hang\"");
  }
  return Gift{std::string(to), *points,
              colon == std::string_view::npos ? "" : std::string(rest.substr(colon + 1))};
}

namespace {
// "train.sh:3: " + what, as the error of a directive line.
std::unexpected<Error> BadDirective(const std::string& where, std::string_view what) {
  return InvalidArgument(kScriptField, std::string(where).append(what));
}
// "'--gpus' takes a whole number, not 'two'".
std::string TakesNot(const std::string& flag, std::string_view takes, const std::string& value) {
  return "'" + flag + "' takes " + std::string(takes) + ", not '" + value + "'";
}
}  // namespace

Result<ScriptDirectives> ParseScriptDirectives(std::istream& script, const std::string& path) {
  ScriptDirectives out;
  std::string line;
  for (int line_no = 1; std::getline(script, line); ++line_no) {
    if (!line.starts_with("#QIUSUO")) continue;
    const std::string where = path + ":" + std::to_string(line_no) + ": ";
    std::stringstream words(line.substr(7));
    std::string flag, value;
    while (words >> flag) {
      const bool known = flag == "--project" || flag == "-p" || flag == "--gpus" || flag == "-g" ||
                         flag == "--name" || flag == "-n" || flag == "--time-limit" ||
                         flag == "-t" || flag == "--env";
      if (!known) return BadDirective(where, "unknown directive '" + flag + "'");
      if (!(words >> value)) return BadDirective(where, "'" + flag + "' needs a value");
      if (flag == "--project" || flag == "-p") {
        out.project = Number<std::int64_t>(value, 18);
        if (!out.project || *out.project <= 0)
          return BadDirective(where, TakesNot(flag, "a project id", value));
      } else if (flag == "--gpus" || flag == "-g") {
        out.gpus = Number<int>(value, 9);
        if (!out.gpus) return BadDirective(where, TakesNot(flag, "a whole number", value));
      } else if (flag == "--name" || flag == "-n") {
        out.name = value;
      } else if (flag == "--time-limit" || flag == "-t") {
        const auto limit = ParseDuration(value);
        if (!limit) return BadDirective(where, limit.error().message);
        out.time_limit = value;
      } else {
        if (const auto eq = value.find('='); eq == 0 || eq == std::string::npos)
          return BadDirective(where, TakesNot(flag, "NAME=VALUE", value));
        out.env.push_back(value);
      }
    }
  }
  return out;
}

}  // namespace qiusuo::cli
