#include "store/migrations.h"

#include <algorithm>
#include <charconv>
#include <span>

#include "common/embedded.h"

namespace qiusuo {
namespace embedded {
std::span<const EmbeddedFile> CommonMigrationFiles();
std::span<const EmbeddedFile> SqliteMigrationFiles();
std::span<const EmbeddedFile> PostgresMigrationFiles();
}  // namespace embedded

namespace {

Result<std::vector<Migration>> Parse(std::span<const EmbeddedFile> common,
                                     std::span<const EmbeddedFile> own) {
  std::vector<EmbeddedFile> files(common.begin(), common.end());
  files.insert(files.end(), own.begin(), own.end());
  std::sort(files.begin(), files.end(),
            [](const EmbeddedFile& a, const EmbeddedFile& b) { return a.name < b.name; });
  std::vector<Migration> out;
  for (const auto& f : files) {
    int version = 0;
    const auto underscore = f.name.find('_');
    const std::string digits(
        f.name.substr(0, underscore == std::string_view::npos ? 0 : underscore));
    const auto dot = f.name.rfind(".sql");
    if (underscore == std::string_view::npos || dot == std::string_view::npos ||
        std::from_chars(digits.c_str(), digits.c_str() + digits.size(), version).ec !=
            std::errc()) {
      return Internal("migration file name '" + std::string(f.name) + "' is not NNNN_name.sql");
    }
    if (!out.empty() && out.back().version == version) {
      return Internal("migration " + digits + " is written twice (common and dialect)");
    }
    if (version != static_cast<int>(out.size()) + 1) {
      return Internal("migration versions must run 1, 2, 3, ...; found " + std::string(f.name));
    }
    out.push_back({version, f.name.substr(underscore + 1, dot - underscore - 1), f.content});
  }
  return out;
}

}  // namespace

Result<std::vector<Migration>> Migrations(Dialect dialect) {
  return Parse(embedded::CommonMigrationFiles(), dialect == Dialect::kSqlite
                                                     ? embedded::SqliteMigrationFiles()
                                                     : embedded::PostgresMigrationFiles());
}

}  // namespace qiusuo
