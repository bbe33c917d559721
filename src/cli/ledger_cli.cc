#include "cli/ledger_cli.h"

#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/config.h"
#include "cli/git_import.h"
#include "cli/lab_admin.h"
#include "cli/table.h"
#include "common/clock.h"
#include "crypto/crypto.h"
#include "http/message.h"
#include "ledger/ledger.h"
#include "service/citation.h"
#include "service/record.h"
#include "service/rewards.h"

namespace qiusuo::cli {
namespace {

namespace fs = std::filesystem;

// 2026-12-31 -> the start of that day, UTC.
Result<std::int64_t> ParseDay(const std::string& text, const char* field) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  if (!end || *end) return InvalidArgument(field, "'" + text + "' is not a date like 2026-12-31");
  return static_cast<std::int64_t>(timegm(&tm));
}

// "1234.56" or "1234" -> minor units (hundredths).
Result<std::int64_t> ParseAmount(const std::string& text) {
  const auto dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  auto digits = [](const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  };
  if (!digits(whole) || frac.size() > 2 || (!frac.empty() && !digits(frac)) || whole.size() > 15)
    return InvalidArgument("pool", "'" + text + "' is not an amount like 10000 or 10000.50");
  while (frac.size() < 2) frac += '0';
  return std::stoll(whole) * 100 + std::stoll(frac);
}

std::string Contributor(const std::string& who) {
  if (who.starts_with("@") || who.starts_with("email:")) return who;
  if (who.find('@') != std::string::npos) return "email:" + who;
  return "@" + who;
}

std::string Quantity(const json& e) {
  const double q = e["quantity"].get<double>();
  if (q == 0) return "-";
  std::ostringstream s;
  s.precision(q < 10 ? 3 : 6);
  s << q << " " << e["unit"].get<std::string>();
  return s.str();
}

void PrintEntries(const json& entries) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& e : entries) {
    rows.push_back({e["seq"].dump(), e["at"].get<std::string>().substr(0, 16),
                    e["contributor"].get<std::string>() + (e["self"].get<bool>() ? " (self)" : ""),
                    e["kind"], e["project_id"].is_null() ? "-" : "#" + e["project_id"].dump(),
                    Quantity(e), e["note"]});
  }
  if (rows.empty()) {
    std::cout << "No entries.\n";
    return;
  }
  PrintTable(std::cout, {"SEQ", "AT (UTC)", "CONTRIBUTOR", "KIND", "PROJECT", "QUANTITY", "NOTE"},
             rows, 60);
}

void PrintRound(const json& r) {
  std::cout << "round " << r["id"] << "  " << r["title"].get<std::string>() << "  ("
            << r["state"].get<std::string>() << ")\n"
            << "pool " << r["pool"].get<std::string>() << " " << r["currency"].get<std::string>()
            << ", period " << r["period_from"].get<std::string>().substr(0, 10) << " to "
            << r["period_to"].get<std::string>().substr(0, 10) << ", alpha "
            << r["alpha"].get<double>() << " (record) / " << 1 - r["alpha"].get<double>()
            << " (peers)\n";
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : r["payout"]) {
    std::ostringstream w;
    w << p["record_weight"].get<double>();
    rows.push_back({"@" + p["handle"].get<std::string>(), w.str(), p["points_received"].dump(),
                    p["amount"].get<std::string>() + " " + r["currency"].get<std::string>()});
  }
  std::cout << (r["state"] == "open" ? "payout if closed now:\n" : "payout:\n");
  if (rows.empty())
    std::cout << "  nobody yet: no recorded contributions in the period and no points\n";
  else
    PrintTable(std::cout, {"MEMBER", "RECORD WEIGHT", "POINTS", "AMOUNT"}, rows, 40);
}

// The server's ledger, page by page (bounded memory on both sides), then the
// checkpoint the pages were cut to. `pin` receives the key the server serves.
Status FetchExport(Client& client, std::ostream& out, std::string* pin, std::int64_t page_size) {
  const json key = QS_TRY(client.Call("GET", "/api/v1/ledger/key"));
  const json cp = QS_TRY(client.Call("GET", "/api/v1/ledger/checkpoint"));
  const auto public_key = crypto::FromHex(key["public_key"].get<std::string>());
  const auto root = ledger::ParseHash(cp["root"].get<std::string>());
  const auto signature = crypto::FromHex(cp["signature"].get<std::string>());
  if (!public_key || !root || !signature) return Internal("the server sent a malformed checkpoint");
  if (pin) *pin = *public_key;
  const std::int64_t size = cp["tree_size"].get<std::int64_t>();
  const bool tty = ::isatty(2);
  for (std::int64_t after = 0; after < size;) {
    const std::string page = QS_TRY(client.CallText(
        "GET", "/api/v1/ledger/export?after=" + std::to_string(after) +
                   "&upto=" + std::to_string(size) + "&limit=" + std::to_string(page_size)));
    const auto lines = std::count(page.begin(), page.end(), '\n');
    if (lines == 0)
      return Internal("the server's export stopped at entry " + std::to_string(after));
    out << page;
    after += lines;
    if (tty && size > 50'000) std::cerr << "\rexported " << after << "/" << size << std::flush;
  }
  if (tty && size > 50'000) std::cerr << "\n";
  const ledger::Checkpoint checkpoint{size, *root, cp["at"].get<std::int64_t>(), *signature};
  out << ledger::CheckpointLine(checkpoint, *public_key) << '\n';
  return out ? Status{} : Fail(ErrorCode::kUnavailable, "cannot write the export");
}

Status WriteOut(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text;
    return {};
  }
  std::ofstream f(path, std::ios::trunc);
  f << text;
  if (!f) return Fail(ErrorCode::kUnavailable, "cannot write " + path);
  return {};
}

}  // namespace

void AddLedgerCommands(CLI::App& app, Client& client, const RunFn& run_fn, const OutFn& out_fn,
                       Status& result) {
  // The callbacks run after this returns: they use copies that live as long as the
  // program (the verbs' options below do too, as CLI11 binds to them).
  static RunFn run;
  static OutFn out;
  run = run_fn;
  out = out_fn;
  auto* ledger = app.add_subcommand(
      "ledger", "the contribution ledger: append-only, hash-chained, Merkle tree, signed");
  ledger->require_subcommand(1);

  static std::string data, output, key_hex, file;
  static bool from_server = false;
  static std::int64_t page_size = 50'000;
  auto* exp = ledger->add_subcommand(
      "export", "write the ledger as JSON Lines with a fresh signed checkpoint");
  exp->add_option("--data", data, "read the lab's database directly (on the server machine)");
  exp->add_option("-o,--output", output, "file to write (default: stdout)");
  exp->add_option("--page-size", page_size, "entries per request to the server (at most 50000)")
      ->capture_default_str();
  exp->callback([&] {
    result = [&]() -> Status {
      if (data.empty()) {
        QS_TRY_STATUS(client.Load());
        if (output.empty() || output == "-")
          return FetchExport(client, std::cout, nullptr, page_size);
        std::ofstream f(output, std::ios::trunc);
        if (!f) return Fail(ErrorCode::kUnavailable, "cannot write " + output);
        return FetchExport(client, f, nullptr, page_size);
      }
      QS_TRY_STATUS(crypto::Init());
      auto store = QS_TRY(OpenLabStore(QS_TRY(FindLabDatabase(data)), true, data));
      auto key = QS_TRY(LoadLedgerKey((fs::path(data) / "ledger.key").string(), false));
      SystemClock clock;
      Record lab_ledger(*store, clock, key);
      std::ofstream f;
      if (!output.empty() && output != "-") {
        f.open(output, std::ios::trunc);
        if (!f) return Fail(ErrorCode::kUnavailable, "cannot write " + output);
      }
      std::ostream& o = f.is_open() ? static_cast<std::ostream&>(f) : std::cout;
      std::int64_t n = 0;
      QS_TRY_STATUS(lab_ledger.Export([&](std::string_view line) {
        o << line << '\n';
        ++n;
      }));
      if (f.is_open())
        std::cerr << "wrote " << n - 1 << " entries and a checkpoint to " << output << "\n";
      return {};
    }();
  });

  auto* verify = ledger->add_subcommand(
      "verify", "recompute an export (or the server's ledger): hashes, chain, root, signature");
  verify->add_option("file", file, "an export file (from `qiusuo ledger export`)");
  verify->add_flag("--server", from_server,
                   "verify the server's ledger, pinning the key it serves at /api/v1/ledger/key");
  verify->add_option("--key", key_hex, "the lab's public key (hex) to pin; else the file's own");
  verify->callback([&] {
    result = [&]() -> Status {
      std::optional<std::string> pinned;
      if (!key_hex.empty()) {
        pinned = crypto::FromHex(key_hex);
        if (!pinned || pinned->size() != 32)
          return InvalidArgument("key", "--key is 64 hex digits (an Ed25519 public key)");
      }
      QS_TRY_STATUS(crypto::Init());
      std::string path = file;
      std::string temp;
      if (from_server) {
        QS_TRY_STATUS(client.Load());
        // Through a temporary file, so a large ledger is never all in memory.
        temp = (fs::temp_directory_path() / ("qiusuo-verify-" + crypto::RandomHex(6))).string();
        std::ofstream f(temp, std::ios::trunc);
        std::string served_key;
        const Status fetched = FetchExport(client, f, &served_key, page_size);
        f.close();
        if (!fetched) {
          fs::remove(temp);
          return fetched;
        }
        if (!pinned) pinned = served_key;
        path = temp;
      } else if (file.empty()) {
        return InvalidArgument("file", "give an export file, or --server");
      }
      std::ifstream in(path);
      if (!temp.empty()) fs::remove(temp);  // open, so still readable until closed
      if (!in) return NotFound("cannot read " + path);
      const bool tty = ::isatty(2);
      const auto report = ledger::VerifyExport(in, pinned, [&](std::int64_t n) {
        if (tty) std::cerr << "\rverified " << n << " entries..." << std::flush;
      });
      if (tty && report.entries >= 65536) std::cerr << "\r";
      if (report.ok) {
        std::cout << "OK: " << report.message << "\n";
        return {};
      }
      return Fail(ErrorCode::kFailedPrecondition,
                  "the ledger does not verify: " + report.message +
                      (report.bad_seq ? "" : " (no single entry to blame)"));
    }();
  });

  static std::string contributor, evidence, kind, note, unit, from, to, format;
  static std::int64_t after = 0, project = 0, corrects = 0, limit = 50, round = 0;
  static double quantity = 0;
  auto* log = ledger->add_subcommand("log", "entries, oldest first (filters combine)");
  log->add_option("--contributor", contributor, "@handle or email:ADDRESS");
  log->add_option("--project", project, "project id");
  log->add_option("--evidence", evidence, "e.g. job:7, commit:SHA");
  log->add_option("--after", after, "entries after this sequence number");
  log->add_option("--limit", limit, "how many (at most 1000)")->capture_default_str();
  log->callback(run([&]() -> Status {
    std::string target =
        "/api/v1/ledger/entries?after=" + std::to_string(after) + "&limit=" + std::to_string(limit);
    if (!contributor.empty()) target += "&contributor=" + http::UrlEncode(Contributor(contributor));
    if (project) target += "&project=" + std::to_string(project);
    if (!evidence.empty()) target += "&evidence=" + http::UrlEncode(evidence);
    out(QS_TRY(client.Call("GET", target)), [](const json& list) { PrintEntries(list["items"]); });
    return {};
  }));

  ledger->add_subcommand("kinds", "the contribution kinds and their default reward weights")
      ->callback(run([&]() -> Status {
        out(QS_TRY(client.Call("GET", "/api/v1/ledger/kinds")), [](const json& list) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& k : list["items"]) {
            std::ostringstream w;
            w << k["weight"].get<double>();
            rows.push_back({k["name"], k["source"],
                            k["credit_role"].get<std::string>().empty()
                                ? "-"
                                : k["credit_role"].get<std::string>(),
                            w.str(), k["description"]});
          }
          PrintTable(std::cout, {"KIND", "FROM", "CREDIT ROLE", "WEIGHT", "WHAT"}, rows, 60);
        });
        return {};
      }));

  auto* thank = app.add_subcommand(
      "thank", "record someone's contribution (a review, debugging, mentoring...) or your own");
  thank->add_option("contributor", contributor, "@handle, or email:ADDRESS for someone outside")
      ->required();
  thank->add_option("--kind", kind, "a kind from `qiusuo ledger kinds`, e.g. review")->required();
  thank->add_option("--note", note, "what they did, for everyone to read")->required();
  thank->add_option("--project", project, "project id");
  thank->add_option("--evidence", evidence, "a URL, commit:SHA, job:ID, task:ID...");
  thank->add_option("--quantity", quantity, "how much, in --unit");
  thank->add_option("--unit", unit, "e.g. hours, lines");
  thank->add_option("--corrects", corrects, "the entry this one corrects (sequence number)");
  thank->callback(run([&]() -> Status {
    json body = {{"contributor", Contributor(contributor)}, {"kind", kind}, {"note", note}};
    if (project) body["project_id"] = project;
    if (!evidence.empty()) body["evidence"] = evidence;
    if (quantity != 0) body["quantity"] = quantity;
    if (!unit.empty()) body["unit"] = unit;
    if (corrects) body["corrects"] = corrects;
    out(QS_TRY(client.Call("POST", "/api/v1/ledger/entries", body)), [](const json& e) {
      std::cout << "recorded entry " << e["seq"] << ": " << e["contributor"].get<std::string>()
                << " " << e["kind"].get<std::string>()
                << (e["self"].get<bool>() ? " (self-recorded)" : "") << "\n";
    });
    return {};
  }));

  static std::string handle;
  auto* profile = app.add_subcommand("profile", "a member's record: totals and the whole timeline");
  profile->add_option("handle", handle, "the member")->required();
  profile->callback(run([&]() -> Status {
    const std::string h = handle.starts_with("@") ? handle.substr(1) : handle;
    out(QS_TRY(client.Call("GET", "/api/v1/members/" + h + "/record")), [&](const json& p) {
      const auto& t = p["timeline"];
      std::cout << "@" << h << ": " << t.size() << " entries";
      if (!t.empty())
        std::cout << ", first " << p["first"].get<std::string>().substr(0, 10) << ", latest "
                  << p["latest"].get<std::string>().substr(0, 10);
      std::cout << "\n\n";
      std::vector<std::vector<std::string>> rows;
      for (const auto& k : p["by_kind"]) {
        std::ostringstream q;
        if (k["quantity"].get<double>() != 0)
          q << k["quantity"].get<double>() << " " << k["unit"].get<std::string>();
        rows.push_back({k["key"], k["entries"].dump(), q.str().empty() ? "-" : q.str()});
      }
      if (!rows.empty()) PrintTable(std::cout, {"KIND", "ENTRIES", "QUANTITY"}, rows, 40);
      rows.clear();
      for (const auto& k : p["by_project"])
        rows.push_back({"#" + k["key"].get<std::string>(), k["entries"].dump()});
      if (!rows.empty()) {
        std::cout << "\n";
        PrintTable(std::cout, {"PROJECT", "ENTRIES"}, rows, 40);
      }
      std::cout << "\n";
      PrintEntries(t);
    });
    return {};
  }));

  auto* authors =
      app.add_subcommand("authors", "a project's author list with CRediT roles, from the record");
  authors->add_option("project", project, "project id")->required();
  authors->add_option("--from", from, "period start, 2026-01-01 (default: the beginning)");
  authors->add_option("--to", to, "period end, exclusive (default: now)");
  authors->add_option("--format", format, "table (default), cff (CITATION.cff) or bibtex");
  authors->add_option("-o,--output", output, "file to write (cff, bibtex)");
  authors->callback(run([&]() -> Status {
    std::string target = "/api/v1/projects/" + std::to_string(project) + "/authors?";
    if (!from.empty()) target += "from=" + std::to_string(QS_TRY(ParseDay(from, "from"))) + "&";
    if (!to.empty()) target += "to=" + std::to_string(QS_TRY(ParseDay(to, "to"))) + "&";
    if (format == "cff" || format == "bibtex") {
      return WriteOut(output, QS_TRY(client.CallText("GET", target + "format=" + format)));
    }
    if (!format.empty() && format != "table" && format != "json")
      return InvalidArgument("format", "--format is table, cff or bibtex");
    out(QS_TRY(client.Call("GET", target)), [](const json& a) {
      std::cout << "#" << a["project_id"] << " " << a["title"].get<std::string>() << "\n";
      std::vector<std::vector<std::string>> rows;
      int n = 0;
      for (const auto& au : a["authors"]) {
        std::ostringstream w;
        w << au["weight"].get<double>();
        std::string roles;
        for (const auto& r : au["roles"])
          roles += (roles.empty() ? "" : ", ") + r.get<std::string>();
        rows.push_back({std::to_string(++n), au["name"], au["contributor"], w.str(), roles});
      }
      if (rows.empty()) {
        std::cout << "No recorded contributions with a CRediT role in this period.\n";
        return;
      }
      PrintTable(std::cout, {"#", "NAME", "WHO", "WEIGHT", "CREDIT ROLES"}, rows, 70);
    });
    return {};
  }));

  // Imported history.
  auto* import = app.add_subcommand("import", "bring outside history into the record");
  import->require_subcommand(1);
  static std::string repo_path;
  auto* git = import->add_subcommand(
      "git", "record a repository's commits (author, lines changed, headline) for a project");
  git->add_option("path", repo_path, "the repository (a working tree or a bare repository)")
      ->required();
  git->add_option("--project", project, "project id")->required();
  git->callback(run([&]() -> Status {
    const bool tty = ::isatty(2);
    auto bar = [&](const char* what, std::size_t done, std::size_t total) {
      if (!tty || (done % 50 != 0 && done != total)) return;
      const int width = 30;
      const int filled = total ? static_cast<int>(width * done / total) : width;
      std::cerr << "\r" << what << " [" << std::string(static_cast<std::size_t>(filled), '=')
                << std::string(static_cast<std::size_t>(width - filled), ' ') << "] " << done << "/"
                << total << std::flush;
      if (done == total) std::cerr << "\n";
    };
    const auto commits = QS_TRY(ReadGitHistory(
        repo_path, [&](std::size_t done, std::size_t total) { bar("reading ", done, total); }));
    ImportResult total;
    constexpr std::size_t kBatch = 500;
    for (std::size_t i = 0; i < commits.size(); i += kBatch) {
      json batch = json::array();
      for (std::size_t k = i; k < std::min(commits.size(), i + kBatch); ++k) {
        const auto& c = commits[k];
        batch.push_back({{"sha", c.sha},
                         {"author_name", c.author_name},
                         {"author_email", c.author_email},
                         {"at", c.at},
                         {"lines", c.lines},
                         {"headline", c.headline}});
      }
      const json r =
          QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(project) + "/commits",
                             {{"commits", batch}}));
      total.recorded += r["recorded"].get<std::int64_t>();
      total.skipped += r["skipped"].get<std::int64_t>();
      total.members += r["members"].get<std::int64_t>();
      bar("recording", std::min(commits.size(), i + kBatch), commits.size());
    }
    out({{"commits", commits.size()},
         {"recorded", total.recorded},
         {"skipped", total.skipped},
         {"members", total.members}},
        [&](const json&) {
          std::cout << commits.size() << " commits: " << total.recorded << " recorded ("
                    << total.members << " by members, " << total.recorded - total.members
                    << " by people outside the lab), " << total.skipped
                    << " already on the record\n";
        });
    return {};
  }));

  // Identities.
  auto* identity = app.add_subcommand(
      "identity", "claim an email seen in imported history: its entries become yours");
  identity->require_subcommand(1);
  static std::string email, code;
  auto* claim = identity->add_subcommand("claim", "mail a code to the address");
  claim->add_option("email", email, "the address")->required();
  claim->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/me/identities", {{"email", email}})), [&](const json&) {
      std::cout << "A code is on its way to " << email << ". Then: qiusuo identity confirm "
                << email << " CODE\n";
    });
    return {};
  }));
  auto* confirm = identity->add_subcommand("confirm", "prove the address with the mailed code");
  confirm->add_option("email", email, "the address")->required();
  confirm->add_option("code", code, "the code from the email")->required();
  confirm->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/me/identities/confirm",
                           {{"email", email}, {"code", code}})),
        [&](const json& e) {
          std::cout << "email:" << email << " is yours now (ledger entry " << e["seq"]
                    << "); its entries count on your record.\n";
        });
    return {};
  }));

  // Reward rounds.
  auto* rewards = app.add_subcommand(
      "rewards", "reward rounds: a pool paid from the record and from peers' points");
  rewards->require_subcommand(1);
  static std::string title, pool, currency, alpha;
  static std::vector<std::string> weights, gifts;
  auto* open = rewards->add_subcommand("open", "stewards: open a round");
  open->add_option("--title", title, "e.g. \"2026 H2\"")->required();
  open->add_option("--pool", pool, "the amount to pay out, e.g. 100000 or 100000.00")->required();
  open->add_option("--currency", currency, "e.g. CNY, EUR, USD")->required();
  open->add_option("--from", from, "period start, 2026-07-01")->required();
  open->add_option("--to", to, "period end, exclusive, 2027-01-01")->required();
  open->add_option("--alpha", alpha, "the record's part, 0..1 (default 0.5; the rest is peers')");
  static std::string weights_file;
  open->add_option("--weights", weights_file,
                   "a weights file (docs/reward-weights.toml is the shipped defaults)");
  open->add_option("--weight", weights,
                   "KIND=PER_ENTRY[,PER_UNIT], overrides a default (repeatable)");
  open->callback(run([&]() -> Status {
    json body = {{"title", title},
                 {"pool_minor", QS_TRY(ParseAmount(pool))},
                 {"currency", currency},
                 {"period_from", QS_TRY(ParseDay(from, "from"))},
                 {"period_to", QS_TRY(ParseDay(to, "to"))}};
    if (!alpha.empty()) {
      try {
        body["alpha"] = std::stod(alpha);
      } catch (const std::exception&) {
        return InvalidArgument("alpha", "--alpha is a number between 0 and 1");
      }
    }
    json w = json::object();
    if (!weights_file.empty()) {
      for (const auto& [kind, value] : QS_TRY(LoadRewardWeights(weights_file))) w[kind] = value;
    }
    for (const auto& item : weights) {
      const auto eq = item.find('=');
      if (eq == std::string::npos)
        return InvalidArgument("weight", "--weight is KIND=PER_ENTRY[,PER_UNIT], like review=2");
      w[item.substr(0, eq)] = item.substr(eq + 1);
    }
    if (!w.empty()) body["weights"] = w;
    out(QS_TRY(client.Call("POST", "/api/v1/rewards/rounds", body)), [](const json& r) {
      std::cout << "opened reward round " << r["id"] << ": " << r["pool"].get<std::string>() << " "
                << r["currency"].get<std::string>() << "\n";
    });
    return {};
  }));
  rewards->add_subcommand("list", "reward rounds")->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("GET", "/api/v1/rewards/rounds")), [](const json& list) {
      std::vector<std::vector<std::string>> rows;
      for (const auto& r : list["items"]) {
        rows.push_back({r["id"].dump(), r["title"],
                        r["pool"].get<std::string>() + " " + r["currency"].get<std::string>(),
                        r["period_from"].get<std::string>().substr(0, 10) + " .. " +
                            r["period_to"].get<std::string>().substr(0, 10),
                        r["state"]});
      }
      if (rows.empty()) {
        std::cout << "No reward rounds yet.\n";
        return;
      }
      PrintTable(std::cout, {"ROUND", "TITLE", "POOL", "PERIOD", "STATE"}, rows, 40);
    });
    return {};
  }));
  static bool csv = false;
  auto* show = rewards->add_subcommand("show", "a round: its payout (as it stands or as paid)");
  show->add_option("round", round, "round id")->required();
  show->add_flag("--csv", csv, "the payout as CSV");
  show->add_option("-o,--output", output, "file to write the CSV to");
  show->callback(run([&]() -> Status {
    const std::string target = "/api/v1/rewards/rounds/" + std::to_string(round);
    if (csv) return WriteOut(output, QS_TRY(client.CallText("GET", target + "?format=csv")));
    out(QS_TRY(client.Call("GET", target)), PrintRound);
    return {};
  }));
  auto* give = rewards->add_subcommand(
      "give", "spread your 100 points over others in an open round (replaces what you gave)");
  give->add_option("round", round, "round id")->required();
  give->add_option("points", gifts, "HANDLE=POINTS[:note], e.g. bob=60:\"fixed the NCCL hang\"")
      ->required();
  give->callback(run([&]() -> Status {
    json points = json::object();
    for (const auto& g : gifts) {
      const auto eq = g.find('=');
      if (eq == std::string::npos)
        return InvalidArgument("points", "'" + g + "' is not HANDLE=POINTS[:note]");
      std::string who = g.substr(0, eq);
      if (who.starts_with("@")) who = who.substr(1);
      std::string rest = g.substr(eq + 1);
      const auto colon = rest.find(':');
      points[who] =
          colon == std::string::npos ? rest : rest.substr(0, colon) + " " + rest.substr(colon + 1);
    }
    out(QS_TRY(client.Call("PUT", "/api/v1/rewards/rounds/" + std::to_string(round) + "/points",
                           {{"points", points}})),
        [](const json& r) { std::cout << "points recorded for round " << r["id"] << "\n"; });
    return {};
  }));
  auto* close = rewards->add_subcommand(
      "close", "stewards: close a round, pay out and record it in the ledger");
  close->add_option("round", round, "round id")->required();
  close->callback(run([&]() -> Status {
    out(QS_TRY(client.Call("POST", "/api/v1/rewards/rounds/" + std::to_string(round) + "/close")),
        PrintRound);
    return {};
  }));
  auto* recompute = rewards->add_subcommand(
      "recompute", "recompute a closed round's payout from a ledger export alone");
  recompute->add_option("round", round, "round id")->required();
  recompute->add_option("--from", file, "the export (JSON Lines)")->required();
  recompute->callback([&] {
    result = [&]() -> Status {
      std::ifstream in(file);
      if (!in) return NotFound("cannot read " + file);
      std::vector<Contribution> entries;
      const auto report = ledger::VerifyExport(
          in, std::nullopt, {}, [&](Contribution&& e) { entries.push_back(std::move(e)); });
      if (!report.ok)
        return Fail(ErrorCode::kFailedPrecondition,
                    "the export does not verify: " + report.message);
      const Recomputed r = QS_TRY(RecomputeRound(entries, round));
      std::vector<std::vector<std::string>> rows;
      bool same = r.payout.size() == r.recorded.size();
      std::int64_t total = 0;
      for (std::size_t i = 0; i < r.payout.size(); ++i) {
        const auto& p = r.payout[i];
        total += p.amount_minor;
        const auto paid = i < r.recorded.size() ? r.recorded[i].amount_minor : -1;
        const bool match =
            i < r.recorded.size() && r.recorded[i].handle == p.handle && paid == p.amount_minor;
        same = same && match;
        rows.push_back({"@" + p.handle, FormatMinor(p.amount_minor),
                        paid < 0 ? "-" : FormatMinor(paid), match ? "yes" : "NO"});
      }
      std::cout << "round " << round << " \"" << r.settings.title << "\": pool "
                << FormatMinor(r.settings.pool_minor) << " " << r.settings.currency
                << ", recomputed from " << entries.size() << " verified entries\n";
      PrintTable(std::cout, {"MEMBER", "RECOMPUTED", "PAID", "SAME"}, rows, 40);
      std::cout << "sum " << FormatMinor(total) << " " << r.settings.currency << "\n";
      if (!same)
        return Fail(ErrorCode::kFailedPrecondition,
                    "the recomputed payout differs from what was paid");
      std::cout << "identical to the payout recorded in the ledger, to the minor unit\n";
      return {};
    }();
  });
}

}  // namespace qiusuo::cli
