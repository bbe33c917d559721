#include "server/admin.h"

#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "common/clock.h"
#include "crypto/crypto.h"
#include "ledger/merkle.h"
#include "server/config.h"
#include "server/lab_dir.h"
#include "service/record.h"
#include "store/copy.h"
#include "store/open.h"
#include "store/sqlite/sqlite_store.h"

namespace qiusuo::server {
namespace fs = std::filesystem;

namespace {

// The ledger's size and root as the database holds it, read-only.
Result<std::pair<std::int64_t, std::string>> LedgerRoot(Store& store) {
  ledger::Frontier frontier;
  QS_TRY_STATUS(ForEachLeaf(store, 0, 0, [&](const ledger::Hash& h) { frontier.Append(h); }));
  return std::make_pair(static_cast<std::int64_t>(frontier.size()), ledger::Hex(frontier.Root()));
}

Status CopyPrivate(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::none, ec);
  if (ec)
    return Fail(ErrorCode::kUnavailable, "cannot copy " + from.string() + ": " + ec.message());
  fs::permissions(to, fs::perms::owner_read | fs::perms::owner_write, ec);
  return {};
}

Result<std::int64_t> CountMembers(Store& store) {
  return Read(store, [](Tx& tx) { return tx.CountMembers(); });
}

// Progress on stderr, one line per table, rewritten in place on a terminal.
void ShowProgress(std::string_view table, std::int64_t done, std::int64_t total) {
  if (::isatty(2) != 0) {
    std::cerr << "\r  " << table << ": " << done << " / " << total << " rows\033[K"
              << (done == total ? "\n" : "") << std::flush;
  } else if (done == total) {
    std::cerr << "  " << table << ": " << total << " rows\n";
  }
}

// Copies `from` into `to` and checks counts and the ledger's root on both sides.
Result<std::pair<std::int64_t, std::string>> CopyAndCheck(Store& from, Store& to) {
  const auto counts = QS_TRY(CopyLab(from, to, ShowProgress));
  const auto source_root = QS_TRY(LedgerRoot(from));
  auto target_root = QS_TRY(LedgerRoot(to));
  std::int64_t rows = 0;
  for (const auto& c : counts) rows += c.to;
  if (source_root != target_root) {
    return Internal("the ledger's root differs after the copy: " + source_root.second + " (" +
                    std::to_string(source_root.first) + " entries) in the source, " +
                    target_root.second + " (" + std::to_string(target_root.first) +
                    " entries) in the target");
  }
  std::cerr << "Copied " << rows << " rows in " << counts.size()
            << " tables; every count matches on both sides.\n";
  return target_root;
}

}  // namespace

Status RunBackup(const std::string& data, const std::string& to) {
  const LabDir lab = ResolveLabDir(data);
  const LabDatabase db = QS_TRY(FindLabDatabase(lab));
  if (to.empty()) return InvalidArgument("to", "say where: --to BACKUP_DIR (a new directory)");
  auto source = QS_TRY(OpenLabStore(db, true, lab));
  std::error_code ec;
  if (fs::exists(to) && !fs::is_empty(to, ec))
    return FailedPrecondition(to + " is not empty; a backup goes into a new directory");
  fs::create_directories(to, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + to + ": " + ec.message());
  fs::permissions(to, fs::perms::owner_all, ec);
  const fs::path dest(to);
  const std::string copy = (dest / "qiusuo.db").string();
  std::pair<std::int64_t, std::string> root;
  if (db.postgres) {
    std::cerr << "Copying " << db.shown << " into " << copy
              << " (one snapshot; the lab keeps running):\n";
    auto target = QS_TRY(OpenSqliteStore({copy}));
    root = QS_TRY(CopyAndCheck(*source, *target));
  } else {
    source.reset();
    QS_TRY_STATUS(BackupSqlite(SqlitePath(db.name), copy));
    auto target = QS_TRY(OpenSqliteStore({copy}));
    root = QS_TRY(LedgerRoot(*target));
  }
  if (fs::exists(lab.ledger_key()))
    QS_TRY_STATUS(CopyPrivate(lab.ledger_key(), dest / "ledger.key"));
  if (fs::exists(lab.config())) QS_TRY_STATUS(CopyPrivate(lab.config(), dest / "qiusuo.toml"));
  auto target = QS_TRY(OpenSqliteStore({copy}));
  const int version = QS_TRY(target->SchemaVersion());
  {
    std::ofstream manifest(dest / "MANIFEST");
    manifest << "qiusuo backup\ncreated_at " << FormatRfc3339(std::time(nullptr)) << "\nsource "
             << (db.postgres ? "postgresql" : "sqlite") << "\nschema " << version
             << "\nledger_entries " << root.first << "\nledger_root " << root.second << "\n";
  }
  std::cout << "Backed up " << data << " (" << db.shown << ") to " << to << ": schema " << version
            << ", " << root.first << " ledger entries, root " << root.second.substr(0, 16)
            << "...\n"
            << "It holds the ledger key: keep it as safe as the lab itself.\n";
  return {};
}

Status RunRestore(const std::string& data, const std::string& from, const std::string& database) {
  const fs::path src(from);
  const fs::path dir = ResolveLabDir(data).root;
  if (!fs::exists(src / "MANIFEST") || !fs::exists(src / "qiusuo.db"))
    return NotFound(from + " is not a qiusuo backup (no MANIFEST or qiusuo.db)");
  std::map<std::string, std::string> manifest;
  {
    std::ifstream in(src / "MANIFEST");
    for (std::string key, value; in >> key && std::getline(in, value);)
      manifest[key] = value.empty() ? "" : value.substr(1);
  }
  std::string target = database;
  if (const char* env = std::getenv("QIUSUO_DATABASE"); target.empty() && env && *env) target = env;
  const bool postgres = IsPostgresUrl(target);
  if (!target.empty() && !postgres) {
    return InvalidArgument("database",
                           "restore writes into a postgresql:// database, or "
                           "without --database into DATA/qiusuo.db");
  }
  // A directory with a database, a ledger key or a config naming a database is a lab.
  const ServerConfig existing = QS_TRY(LoadServerConfig((dir / "qiusuo.toml").string()));
  if (fs::exists(dir / "qiusuo.db") || fs::exists(dir / "ledger.key") || !existing.database.empty())
    return FailedPrecondition(data + " already holds a lab; restore into a new --data DIR");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(ErrorCode::kUnavailable, "cannot create " + data + ": " + ec.message());
  std::pair<std::int64_t, std::string> root;
  if (postgres) {
    auto backup = QS_TRY(OpenDatabase("sqlite:" + (src / "qiusuo.db").string(), 1, true));
    auto store = QS_TRY(OpenDatabase(target, 2));
    std::cerr << "Copying the backup into " << DisplayDatabase(target) << ":\n";
    root = QS_TRY(CopyAndCheck(*backup, *store));
  } else {
    QS_TRY_STATUS(BackupSqlite((src / "qiusuo.db").string(), (dir / "qiusuo.db").string()));
    auto store = QS_TRY(OpenSqliteStore({(dir / "qiusuo.db").string()}));
    root = QS_TRY(LedgerRoot(*store));
  }
  if (fs::exists(src / "ledger.key") && !fs::exists(dir / "ledger.key"))
    QS_TRY_STATUS(CopyPrivate(src / "ledger.key", dir / "ledger.key"));
  // The restored config names the database restored into, not the backup's.
  const std::string config = (dir / "qiusuo.toml").string();
  if (fs::exists(config)) {
    QS_TRY_STATUS(SetConfigDatabase(config, target));
  } else if (fs::exists(src / "qiusuo.toml")) {
    QS_TRY_STATUS(CopyPrivate(src / "qiusuo.toml", config));
    QS_TRY_STATUS(SetConfigDatabase(config, target));
  } else {
    QS_TRY_STATUS(WriteDefaultServerConfig(config, target));
  }
  if (root.second != manifest["ledger_root"] ||
      std::to_string(root.first) != manifest["ledger_entries"]) {
    return Internal("the restored ledger (" + std::to_string(root.first) + " entries, root " +
                    root.second + ") does not match the backup's MANIFEST");
  }
  std::cout << "Restored " << from << " (taken " << manifest["created_at"] << ") into " << data
            << (postgres ? " with the database " + DisplayDatabase(target) : std::string()) << ": "
            << root.first << " ledger entries, root matches the backup.\n"
            << "Next: qiusuo serve --data " << data << "\n";
  return {};
}

Status RunMigrate(const std::string& from, const std::string& to, const std::string& data) {
  if (from.empty() || to.empty()) {
    return InvalidArgument("from",
                           "say both: --from sqlite:var/qiusuo.db --to "
                           "postgresql://user@host:5432/qiusuo");
  }
  if (DisplayDatabase(from) == DisplayDatabase(to))
    return InvalidArgument("to", "--from and --to name the same database");
  auto source = QS_TRY(OpenDatabase(from, 2, true));
  if (QS_TRY(CountMembers(*source)) == 0)
    return FailedPrecondition(DisplayDatabase(from) + " holds no lab; nothing to migrate");
  auto target = QS_TRY(OpenDatabase(to, 2));
  std::cerr << "Migrating " << DisplayDatabase(from) << " to " << DisplayDatabase(to) << ":\n";
  const auto root = QS_TRY(CopyAndCheck(*source, *target));
  std::cout << "Migrated. Ledger: " << root.first << " entries, root " << root.second
            << " on both sides.\n";
  if (!data.empty()) {
    const LabDir lab = ResolveLabDir(data);
    const std::string config = lab.config().string();
    if (fs::exists(config)) {
      QS_TRY_STATUS(SetConfigDatabase(config, to));
    } else {
      QS_TRY_STATUS(WriteDefaultServerConfig(config, to));
    }
    std::cout << lab.Shown("qiusuo.toml") << " now names " << DisplayDatabase(to)
              << "; restart `qiusuo serve --data " << data << "` to use it.\n";
  } else {
    std::cout << "Next: set database = \"" << DisplayDatabase(to)
              << "\" in DATA/qiusuo.toml (or QIUSUO_DATABASE) and restart the server.\n";
  }
  return {};
}

Result<std::int64_t> ExportLabLedger(const std::string& data, std::ostream& out) {
  QS_TRY_STATUS(crypto::Init());
  const LabDir lab = ResolveLabDir(data);
  auto store = QS_TRY(OpenLabStore(QS_TRY(FindLabDatabase(lab)), true, lab));
  auto key = QS_TRY(LoadLedgerKey(lab.ledger_key().string(), false));
  SystemClock clock;
  Record lab_ledger(*store, clock, key);
  std::int64_t lines = 0;
  QS_TRY_STATUS(lab_ledger.Export([&](std::string_view line) {
    out << line << '\n';
    ++lines;
  }));
  return lines;
}

}  // namespace qiusuo::server
