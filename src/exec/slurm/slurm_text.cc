#include "exec/slurm/slurm_text.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdlib>

namespace qiusuo::slurm {
namespace {

std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::optional<std::int64_t> ToInt(std::string_view s) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string RunName(std::string_view prefix, std::int64_t job_id, int run) {
  return std::string(prefix) + "-" + std::to_string(job_id) + "-" + std::to_string(run);
}

std::optional<RunKey> ParseRunName(std::string_view prefix, std::string_view name) {
  if (name.size() <= prefix.size() + 1 || !name.starts_with(prefix) || name[prefix.size()] != '-') {
    return std::nullopt;
  }
  name.remove_prefix(prefix.size() + 1);
  const auto dash = name.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto job = ToInt(name.substr(0, dash));
  const auto run = ToInt(name.substr(dash + 1));
  if (!job || !run || *job <= 0 || *run < 0 || *run > 1'000'000) return std::nullopt;
  return RunKey{*job, static_cast<int>(*run)};
}

std::vector<std::string> ExpandHostlist(std::string_view list) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < list.size()) {
    // One item: a prefix, then optionally [ranges], then optionally a suffix.
    std::size_t end = i;
    int depth = 0;
    while (end < list.size() && !(depth == 0 && list[end] == ',')) {
      if (list[end] == '[') ++depth;
      if (list[end] == ']') --depth;
      ++end;
    }
    const std::string_view item = list.substr(i, end - i);
    i = end + 1;
    const auto open = item.find('[');
    const auto close = item.find(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
      if (!item.empty()) out.emplace_back(item);
      continue;
    }
    const std::string_view prefix = item.substr(0, open);
    const std::string_view suffix = item.substr(close + 1);
    std::string_view ranges = item.substr(open + 1, close - open - 1);
    while (!ranges.empty()) {
      const auto comma = ranges.find(',');
      const std::string_view range = ranges.substr(0, comma);
      ranges = comma == std::string_view::npos ? std::string_view{} : ranges.substr(comma + 1);
      const auto dash = range.find('-');
      const std::string_view lo_text = range.substr(0, dash);
      const std::string_view hi_text =
          dash == std::string_view::npos ? lo_text : range.substr(dash + 1);
      const auto lo = ToInt(lo_text);
      const auto hi = ToInt(hi_text);
      if (!lo || !hi || *hi < *lo || *hi - *lo > 100'000) continue;
      for (std::int64_t n = *lo; n <= *hi; ++n) {
        std::string digits = std::to_string(n);
        if (digits.size() < lo_text.size()) digits.insert(0, lo_text.size() - digits.size(), '0');
        out.push_back(std::string(prefix) + digits + std::string(suffix));
      }
    }
  }
  return out;
}

int GpuCount(std::string_view gres) {
  int total = 0;
  while (!gres.empty()) {
    // Commas inside "(S:0,1)" do not separate entries.
    std::size_t end = 0;
    int depth = 0;
    while (end < gres.size() && !(depth == 0 && gres[end] == ',')) {
      if (gres[end] == '(') ++depth;
      if (gres[end] == ')') --depth;
      ++end;
    }
    std::string_view entry = gres.substr(0, end);
    gres = end < gres.size() ? gres.substr(end + 1) : std::string_view{};
    if (const auto paren = entry.find('('); paren != std::string_view::npos)
      entry = entry.substr(0, paren);
    if (!entry.starts_with("gpu:")) continue;
    const auto colon = entry.rfind(':');
    if (const auto n = ToInt(entry.substr(colon + 1)); n && *n > 0 && *n < 100'000)
      total += static_cast<int>(*n);
  }
  return total;
}

std::vector<JobRow> ParseSqueue(std::string_view text) {
  std::vector<JobRow> out;
  for (std::string_view line : Lines(text)) {
    // id|name|state|nodes|reason; a name may itself hold '|', so read from both ends.
    const auto first = line.find('|');
    const auto last = line.rfind('|');
    if (first == std::string_view::npos || last == first) continue;
    const auto before_last = line.rfind('|', last - 1);
    if (before_last == first || before_last == std::string_view::npos) continue;
    const auto state_bar = line.rfind('|', before_last - 1);
    if (state_bar == std::string_view::npos || state_bar < first) continue;
    JobRow row;
    const auto id = ToInt(line.substr(0, first));
    if (!id) continue;  // "123_4" array tasks and the like are not ours
    row.id = *id;
    row.name = std::string(line.substr(first + 1, state_bar - first - 1));
    row.state = std::string(line.substr(state_bar + 1, before_last - state_bar - 1));
    row.nodes = ExpandHostlist(line.substr(before_last + 1, last - before_last - 1));
    row.reason = std::string(line.substr(last + 1));
    out.push_back(std::move(row));
  }
  return out;
}

std::vector<ExecNode> ParseSinfo(std::string_view text) {
  std::vector<ExecNode> out;
  int next_gpu = 0;
  for (std::string_view line : Lines(text)) {
    const auto a = line.find('|');
    const auto b = a == std::string_view::npos ? a : line.find('|', a + 1);
    const auto c = b == std::string_view::npos ? b : line.find('|', b + 1);
    if (c == std::string_view::npos) continue;
    ExecNode node;
    node.name = std::string(line.substr(0, a));
    node.state = std::string(line.substr(a + 1, b - a - 1));
    const int gpus = GpuCount(line.substr(b + 1, c - b - 1));
    node.reason = std::string(line.substr(c + 1));
    if (node.reason == "none") node.reason.clear();
    node.schedulable = NodeTakesJobs(node.state);
    if (std::any_of(out.begin(), out.end(), [&](const ExecNode& n) { return n.name == node.name; }))
      continue;  // listed once per partition it is in
    for (int g = 0; g < gpus; ++g) node.gpus.push_back(next_gpu++);
    out.push_back(std::move(node));
  }
  return out;
}

bool IsActiveState(std::string_view state) {
  static constexpr std::array<std::string_view, 11> kOver = {
      "COMPLETED", "CANCELLED", "FAILED",        "TIMEOUT",      "NODE_FAIL", "PREEMPTED",
      "BOOT_FAIL", "DEADLINE",  "OUT_OF_MEMORY", "SPECIAL_EXIT", "REVOKED"};
  // Anything else, a state this code does not know included, may still hold nodes.
  return std::find(kOver.begin(), kOver.end(), state) == kOver.end();
}

bool NodeTakesJobs(std::string_view state) {
  const std::string s = Lower(state);
  if (s.empty()) return false;
  // Suffixes: '*' not responding, '~' powered off, '#' '%' '!' powering, '@' '^' reboot.
  if (s.find_first_of("*~#%!@^") != std::string::npos) return false;
  static constexpr std::array<std::string_view, 5> kUsable = {"idle", "mixed", "allocated", "alloc",
                                                              "completing"};
  std::string_view rest = s;
  bool base_ok = false;
  while (!rest.empty()) {
    const auto plus = rest.find('+');
    const std::string_view part = rest.substr(0, plus);
    rest = plus == std::string_view::npos ? std::string_view{} : rest.substr(plus + 1);
    if (std::find(kUsable.begin(), kUsable.end(), part) != kUsable.end()) {
      base_ok = true;
    } else if (part != "planned" && part != "reserved" && part != "resv") {
      return false;  // drain, drained, draining, down, fail, maint, ...
    }
  }
  return base_ok;
}

std::string ShellQuote(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

namespace {
std::string RunFile(const RunFiles& f, std::string_view ext) {
  return f.job_dir + "/run-" + std::to_string(f.run) + "." + std::string(ext);
}
}  // namespace

std::string RunFiles::Script() const { return RunFile(*this, "sh"); }
std::string RunFiles::Started() const { return RunFile(*this, "started"); }
std::string RunFiles::Exit() const { return RunFile(*this, "exit"); }
std::string RunFiles::Stop() const { return RunFile(*this, "stop"); }
std::string RunFiles::Checkpoint() const { return job_dir + "/checkpoint"; }
std::string RunFiles::Log(bool stderr_stream) const {
  return job_dir + (stderr_stream ? "/stderr.log" : "/stdout.log");
}

std::string BatchScript(const LaunchSpec& spec, const RunFiles& files, const JobAccount& account,
                        std::int64_t log_max_bytes) {
  const std::string run = std::to_string(spec.run);
  const std::string program = spec.argv.empty() ? "" : spec.argv[0];
  std::string s;
  s += "#!/bin/bash\n";
  s += "# Qiusuo job " + std::to_string(spec.job_id) + ", run " + run +
       ": written by qiusuo serve; Slurm runs it on the job's first node.\n";
  s += "d=" + ShellQuote(files.job_dir) + "\n";
  s += "printf '%s %s %s\\n' \"$SLURM_JOB_ID\" \"$(date +%s)\" \"$SLURM_JOB_NODELIST\" "
       ">\"$d/run-" +
       run + ".started\" || exit 1\n";
  s += "finish() {  # exit code, signal, started (1) or not (0), why it did not start\n"
       "  printf 'exit=%s\\nsignal=%s\\nstarted=%s\\nreason=%s\\n' \"$1\" \"$2\" \"$3\" \"$4\" "
       ">\"$d/run-" +
       run + ".exit.tmp\" && mv -f \"$d/run-" + run + ".exit.tmp\" \"$d/run-" + run +
       ".exit\"\n"
       "  exit \"$1\"\n"
       "}\n";
  s += "export PATH=\"${PATH:-/usr/local/bin:/usr/bin:/bin}\"\n";
  s += "cd -- " + ShellQuote(spec.workdir) + " 2>/dev/null || finish 127 0 0 \"no directory \"" +
       ShellQuote(spec.workdir) + "\" on $(hostname)\"\n";
  s += "command -v -- " + ShellQuote(program) + " >/dev/null || finish 127 0 0 " +
       ShellQuote("no program " + program + " in " + spec.workdir + " or on PATH") + "\n";
  s += "export QIUSUO_JOB_ID=" + std::to_string(spec.job_id) + " QIUSUO_RESTART_COUNT=" + run +
       " QIUSUO_CHECKPOINT_DIR=\"$d/checkpoint\"\n";
  s += "export HOME=" + ShellQuote(account.home) + " USER=" + ShellQuote(account.name) +
       " LOGNAME=" + ShellQuote(account.name) + "\n";
  for (const auto& [k, v] : spec.env) s += "export " + k + "=" + ShellQuote(v) + "\n";
  // The command runs as the job's account, never as the user Slurm started this as.
  std::string groups;
  for (gid_t g : account.groups) groups += (groups.empty() ? "" : ",") + std::to_string(g);
  if (groups.empty()) groups = std::to_string(account.gid);
  s += "export QIUSUO_AS=\"--reuid=" + std::to_string(account.uid) +
       " --regid=" + std::to_string(account.gid) + " --groups=" + groups +
       " --inh-caps=-all --no-new-privs\"\n";
  // Each stream of each rank: the first N bytes, then one line, then the rest read
  // and dropped (head -c reads no further than it writes).
  s += "export QIUSUO_LOG_MAX=" + std::to_string(log_max_bytes) + "\n";
  s += "trap 'kill -TERM \"$pid\" 2>/dev/null' TERM\n";
  // Each rank records its own exit status: srun's own can be 1 when it lost the
  // controller as the job ended, whatever the command did. A rank's shell waits out a
  // SIGTERM (its `trap :`) while the command, which Slurm signals too, decides.
  s += "export QIUSUO_RANK_EXIT=\"$d/run-" + run + ".rank\"\n";
  s += "rm -f \"$QIUSUO_RANK_EXIT\".*\n";
  s += "srun --ntasks-per-node=1 --kill-on-bad-exit=1 --export=ALL -- bash -c "
       "'trap : TERM; "
       "cap() { trap \"\" TERM; stdbuf -o0 head -c \"$QIUSUO_LOG_MAX\"; if [ \"$(head -c 1 | wc "
       "-c)\" != 0 ]; then "
       "printf \"\\n[qiusuo] this log reached its cap of %s bytes (job_log_max_bytes); the "
       "rest of this rank'\\''s output is discarded, the job goes on\\n\" \"$QIUSUO_LOG_MAX\"; "
       "cat >/dev/null; fi; }; "
       "setpriv $QIUSUO_AS -- \"$@\" > >(cap) 2> >(cap >&2); rc=$?; wait; "
       "echo $rc >\"$QIUSUO_RANK_EXIT.$SLURM_PROCID\"' qiusuo-rank";
  for (const auto& arg : spec.argv) s += " " + ShellQuote(arg);
  s += " &\n";
  s += "pid=$!\n";
  s += "while :; do wait \"$pid\"; rc=$?; kill -0 \"$pid\" 2>/dev/null || break; done\n";
  s += "ranks=0; worst=0\n";
  s += "for f in \"$QIUSUO_RANK_EXIT\".*; do [ -e \"$f\" ] || continue; ranks=$((ranks + 1)); "
       "r=$(cat \"$f\"); [ \"$worst\" = 0 ] && worst=${r:-1}; done\n";
  s += "[ \"$ranks\" = \"${SLURM_JOB_NUM_NODES:-1}\" ] && rc=$worst\n";
  s += "sig=0; [ \"$rc\" -gt 128 ] && sig=$((rc - 128))\n";
  s += "finish \"$rc\" \"$sig\" 1 \"\"\n";
  return s;
}

std::optional<ExitRecord> ParseExitRecord(std::string_view text) {
  ExitRecord r;
  bool have_exit = false;
  for (std::string_view line : Lines(text)) {
    const auto eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = line.substr(0, eq);
    const std::string_view value = line.substr(eq + 1);
    if (key == "exit") {
      const auto v = ToInt(value);
      if (!v) return std::nullopt;
      r.exit_code = static_cast<int>(*v);
      have_exit = true;
    } else if (key == "signal") {
      r.signal = static_cast<int>(ToInt(value).value_or(0));
    } else if (key == "started") {
      r.started = value != "0";
    } else if (key == "reason") {
      r.reason = std::string(value);
    }
  }
  if (!have_exit) return std::nullopt;
  return r;
}

std::string SbatchTimeLimit(std::int64_t seconds, std::int64_t grace_s) {
  // Saturating: beyond ten years, Slurm's own limit only guards the executor's.
  constexpr std::int64_t kTenYears = std::int64_t{3660} * 24 * 3600;
  seconds = std::clamp<std::int64_t>(seconds, 0, kTenYears);
  grace_s = std::clamp<std::int64_t>(grace_s, 0, kTenYears);
  const std::int64_t minutes = (seconds + grace_s + 59) / 60 + 1;
  return std::to_string(minutes);
}

bool IsTransientError(std::string_view message) {
  static constexpr std::array<std::string_view, 9> kTransient = {
      "unable to contact slurm controller",
      "socket timed out",
      "connection refused",
      "temporarily unable",
      "resource temporarily unavailable",
      "zero bytes were transmitted",
      "communication connection failure",
      "did not answer in time",
      "slurm_persist_conn"};
  const std::string m = Lower(message);
  return std::any_of(kTransient.begin(), kTransient.end(),
                     [&](std::string_view t) { return m.find(t) != std::string::npos; });
}

}  // namespace qiusuo::slurm
