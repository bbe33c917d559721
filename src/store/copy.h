#pragma once
// Copies a whole lab from one store to another (SQLite to PostgreSQL, PostgreSQL to a
// SQLite backup file, ...): every table of kLabTables, rows and ids as they are.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "store/store.h"

namespace qiusuo {

struct TableCount {
  std::string table;
  std::int64_t from = 0;  // rows in the source
  std::int64_t to = 0;    // rows in the target, read back after the copy committed
};

// Called as rows land: the table, rows copied so far and its total.
using CopyProgress = std::function<void(std::string_view, std::int64_t, std::int64_t)>;

// Reads the source in one snapshot and writes the target in one transaction, so a
// failure leaves the target as it was. Refuses a target that holds any row, and two
// stores at different schema versions. Fails if any table's counts differ after.
Result<std::vector<TableCount>> CopyLab(Store& from, Store& to, const CopyProgress& progress);

}  // namespace qiusuo
