// The contribution ledger and what reads it: ledger export/verify/log/kinds, thank,
// profile, authors, import git, identity.
#include "ledger/ledger.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/git_import.h"
#include "cli/parse.h"
#include "cli/print.h"
#include "cli/table.h"
#include "cli/verbs/verbs.h"
#include "crypto/crypto.h"
#include "http/message.h"
#include "server/admin.h"
#include "service/record.h"

namespace qiusuo::cli {
namespace {

namespace fs = std::filesystem;

struct LedgerOptions {
  std::string data, output, key_hex, file;
  bool from_server = false;
  std::int64_t page_size = 50'000;
  std::string contributor, evidence, kind, note, unit, from, to, format;
  std::int64_t after = 0, project = 0, corrects = 0, limit = 50;
  double quantity = 0;
  std::string handle, repo_path, email, code;
};

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

}  // namespace

void AddLedgerVerbs(CLI::App& app, Context& ctx) {
  LedgerOptions& o = ctx.Keep<LedgerOptions>();
  Client& client = ctx.client();
  auto* ledger = app.add_subcommand(
      "ledger", "the contribution ledger: append-only, hash-chained, Merkle tree, signed");
  ledger->require_subcommand(1);

  auto* exp = ledger->add_subcommand(
      "export", "write the ledger as JSON Lines with a fresh signed checkpoint");
  exp->add_option("--data", o.data, "read the lab's database directly (on the server machine)");
  exp->add_option("-o,--output", o.output, "file to write (default: stdout)");
  exp->add_option("--page-size", o.page_size, "entries per request to the server (at most 50000)")
      ->capture_default_str();
  exp->callback(ctx.RunLocal([&]() -> Status {
    if (o.data.empty()) {
      QS_TRY_STATUS(client.Load());
      if (o.output.empty() || o.output == "-")
        return FetchExport(client, std::cout, nullptr, o.page_size);
      std::ofstream f(o.output, std::ios::trunc);
      if (!f) return Fail(ErrorCode::kUnavailable, "cannot write " + o.output);
      return FetchExport(client, f, nullptr, o.page_size);
    }
    if (o.output.empty() || o.output == "-") {
      QS_TRY(server::ExportLabLedger(o.data, std::cout));
      return {};
    }
    std::ofstream f(o.output, std::ios::trunc);
    if (!f) return Fail(ErrorCode::kUnavailable, "cannot write " + o.output);
    const std::int64_t lines = QS_TRY(server::ExportLabLedger(o.data, f));
    std::cerr << "wrote " << lines - 1 << " entries and a checkpoint to " << o.output << "\n";
    return {};
  }));

  auto* verify = ledger->add_subcommand(
      "verify", "recompute an export (or the server's ledger): hashes, chain, root, signature");
  verify->add_option("file", o.file, "an export file (from `qiusuo ledger export`)");
  verify->add_flag("--server", o.from_server,
                   "verify the server's ledger, pinning the key it serves at /api/v1/ledger/key");
  verify->add_option("--key", o.key_hex, "the lab's public key (hex) to pin; else the file's own");
  verify->callback(ctx.RunLocal([&]() -> Status {
    std::optional<std::string> pinned;
    if (!o.key_hex.empty()) {
      pinned = crypto::FromHex(o.key_hex);
      if (!pinned || pinned->size() != 32)
        return InvalidArgument("key", "--key is 64 hex digits (an Ed25519 public key)");
    }
    QS_TRY_STATUS(crypto::Init());
    std::string path = o.file;
    std::string temp;
    if (o.from_server) {
      QS_TRY_STATUS(client.Load());
      // Through a temporary file, so a large ledger is never all in memory.
      temp = (fs::temp_directory_path() / ("qiusuo-verify-" + crypto::RandomHex(6))).string();
      std::ofstream f(temp, std::ios::trunc);
      std::string served_key;
      const Status fetched = FetchExport(client, f, &served_key, o.page_size);
      f.close();
      if (!fetched) {
        fs::remove(temp);
        return fetched;
      }
      if (!pinned) pinned = served_key;
      path = temp;
    } else if (o.file.empty()) {
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
  }));

  auto* log = ledger->add_subcommand("log", "entries, oldest first (filters combine)");
  log->add_option("--contributor", o.contributor, "@handle or email:ADDRESS");
  log->add_option("--project", o.project, "project id");
  log->add_option("--evidence", o.evidence, "e.g. job:7, commit:SHA");
  log->add_option("--after", o.after, "entries after this sequence number");
  log->add_option("--limit", o.limit, "how many (at most 1000)")->capture_default_str();
  log->callback(ctx.Run([&]() -> Status {
    std::string target = "/api/v1/ledger/entries?after=" + std::to_string(o.after) +
                         "&limit=" + std::to_string(o.limit);
    if (!o.contributor.empty())
      target += "&contributor=" + http::UrlEncode(Contributor(o.contributor));
    if (o.project) target += "&project=" + std::to_string(o.project);
    if (!o.evidence.empty()) target += "&evidence=" + http::UrlEncode(o.evidence);
    ctx.Out(QS_TRY(client.Call("GET", target)),
            [](const json& list) { PrintEntries(list["items"]); });
    return {};
  }));

  auto* confirm_entry = ledger->add_subcommand(
      "confirm", "vouch for another member's entry (a self-recorded one counts once confirmed)");
  confirm_entry->add_option("entry", o.after, "the entry's sequence number")->required();
  confirm_entry->add_option("--note", o.note, "why you can vouch for it (optional)");
  confirm_entry->callback(ctx.Run([&]() -> Status {
    json body = json::object();
    if (!o.note.empty()) body["note"] = o.note;
    ctx.Out(QS_TRY(client.Call(
                "POST", "/api/v1/ledger/entries/" + std::to_string(o.after) + "/confirm", body)),
            [&](const json& e) {
              std::cout << "recorded entry " << e["seq"] << ": you confirmed entry " << o.after
                        << "\n";
            });
    return {};
  }));

  ledger->add_subcommand("kinds", "the contribution kinds and their default reward weights")
      ->callback(ctx.Run([&]() -> Status {
        ctx.Out(QS_TRY(client.Call("GET", "/api/v1/ledger/kinds")), [](const json& list) {
          std::vector<std::vector<std::string>> rows;
          for (const auto& k : list["items"]) {
            std::ostringstream w;
            w << k["weight"].get<double>();
            rows.push_back(
                {k["name"], k["source"],
                 k["credit_role"].get<std::string>().empty() ? "-"
                                                             : k["credit_role"].get<std::string>(),
                 w.str(), k.value("member_recordable", false) ? "yes" : "no", k["description"]});
          }
          PrintTable(std::cout, {"KIND", "FROM", "CREDIT ROLE", "WEIGHT", "THANKED", "WHAT"}, rows,
                     60);
        });
        return {};
      }));

  auto* thank = app.add_subcommand(
      "thank", "record someone's contribution (a review, debugging, mentoring...) or your own");
  thank->add_option("contributor", o.contributor, "@handle, or email:ADDRESS for someone outside")
      ->required();
  thank->add_option("--kind", o.kind, "a kind from `qiusuo ledger kinds`, e.g. review")->required();
  thank->add_option("--note", o.note, "what they did, for everyone to read")->required();
  thank->add_option("--project", o.project, "project id");
  thank->add_option("--evidence", o.evidence, "a URL, commit:SHA, job:ID, task:ID...");
  thank->add_option("--quantity", o.quantity, "how much, in --unit");
  thank->add_option("--unit", o.unit, "e.g. hours, lines");
  thank->add_option("--corrects", o.corrects, "the entry this one corrects (sequence number)");
  thank->callback(ctx.Run([&]() -> Status {
    json body = {{"contributor", Contributor(o.contributor)}, {"kind", o.kind}, {"note", o.note}};
    if (o.project) body["project_id"] = o.project;
    if (!o.evidence.empty()) body["evidence"] = o.evidence;
    if (o.quantity != 0) body["quantity"] = o.quantity;
    if (!o.unit.empty()) body["unit"] = o.unit;
    if (o.corrects) body["corrects"] = o.corrects;
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/ledger/entries", body)), [](const json& e) {
      std::cout << "recorded entry " << e["seq"] << ": " << e["contributor"].get<std::string>()
                << " " << e["kind"].get<std::string>()
                << (e["self"].get<bool>() ? " (self-recorded)" : "") << "\n";
    });
    return {};
  }));

  auto* profile = app.add_subcommand("profile", "a member's record: totals and the whole timeline");
  profile->add_option("handle", o.handle, "the member")->required();
  profile->callback(ctx.Run([&]() -> Status {
    const std::string h = o.handle.starts_with("@") ? o.handle.substr(1) : o.handle;
    ctx.Out(QS_TRY(client.Call("GET", "/api/v1/members/" + h + "/record")), [&](const json& p) {
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
  authors->add_option("project", o.project, "project id")->required();
  authors->add_option("--from", o.from, "period start, 2026-01-01 (default: the beginning)");
  authors->add_option("--to", o.to, "period end, exclusive (default: now)");
  authors->add_option("--format", o.format, "table (default), cff (CITATION.cff) or bibtex");
  authors->add_option("-o,--output", o.output, "file to write (cff, bibtex)");
  authors->callback(ctx.Run([&]() -> Status {
    std::string target = "/api/v1/projects/" + std::to_string(o.project) + "/authors?";
    if (!o.from.empty()) target += "from=" + std::to_string(QS_TRY(ParseDay(o.from, "from"))) + "&";
    if (!o.to.empty()) target += "to=" + std::to_string(QS_TRY(ParseDay(o.to, "to"))) + "&";
    if (o.format == "cff" || o.format == "bibtex") {
      return WriteOut(o.output, QS_TRY(client.CallText("GET", target + "format=" + o.format)));
    }
    if (!o.format.empty() && o.format != "table" && o.format != "json")
      return InvalidArgument("format", "--format is table, cff or bibtex");
    ctx.Out(QS_TRY(client.Call("GET", target)), [](const json& a) {
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
  auto* git = import->add_subcommand(
      "git", "record a repository's commits (author, lines changed, headline) for a project");
  git->add_option("path", o.repo_path, "the repository (a working tree or a bare repository)")
      ->required();
  git->add_option("--project", o.project, "project id")->required();
  git->callback(ctx.Run([&]() -> Status {
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
        o.repo_path, [&](std::size_t done, std::size_t total) { bar("reading ", done, total); }));
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
          QS_TRY(client.Call("POST", "/api/v1/projects/" + std::to_string(o.project) + "/commits",
                             {{"commits", batch}}));
      total.recorded += r["recorded"].get<std::int64_t>();
      total.skipped += r["skipped"].get<std::int64_t>();
      total.members += r["members"].get<std::int64_t>();
      bar("recording", std::min(commits.size(), i + kBatch), commits.size());
    }
    ctx.Out({{"commits", commits.size()},
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
  auto* claim = identity->add_subcommand("claim", "mail a code to the address");
  claim->add_option("email", o.email, "the address")->required();
  claim->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/me/identities", {{"email", o.email}})),
            [&](const json&) {
              std::cout << "A code is on its way to " << o.email
                        << ". Then: qiusuo identity confirm " << o.email << " CODE\n";
            });
    return {};
  }));
  auto* confirm = identity->add_subcommand("confirm", "prove the address with the mailed code");
  confirm->add_option("email", o.email, "the address")->required();
  confirm->add_option("code", o.code, "the code from the email")->required();
  confirm->callback(ctx.Run([&]() -> Status {
    ctx.Out(QS_TRY(client.Call("POST", "/api/v1/me/identities/confirm",
                               {{"email", o.email}, {"code", o.code}})),
            [&](const json& e) {
              std::cout << "email:" << o.email << " is yours now (ledger entry " << e["seq"]
                        << "); its entries count on your record.\n";
            });
    return {};
  }));
}

}  // namespace qiusuo::cli
