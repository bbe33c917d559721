#include "store/copy.h"

namespace qiusuo {

Result<std::vector<TableCount>> CopyLab(Store& from, Store& to, const CopyProgress& progress) {
  const int from_version = QS_TRY(from.SchemaVersion());
  const int to_version = QS_TRY(to.SchemaVersion());
  if (from_version != to_version) {
    return FailedPrecondition("the source is at schema version " + std::to_string(from_version) +
                              " and the target at " + std::to_string(to_version) +
                              "; open both with the same qiusuo");
  }
  std::vector<TableCount> counts;
  QS_TRY_STATUS(to.Transact(TxMode::kRead, [&](Tx& dst) -> Status {
    std::string held;
    for (const auto table : kLabTables) {
      if (const auto n = QS_TRY(dst.CountRows(table)); n > 0)
        held += (held.empty() ? "" : ", ") + std::string(table) + ": " + std::to_string(n);
    }
    if (!held.empty()) {
      return FailedPrecondition("the target already holds a lab (" + held +
                                "); copy only into an empty database");
    }
    return {};
  }));
  QS_TRY_STATUS(from.Transact(TxMode::kRead, [&](Tx& src) -> Status {
    return to.Transact(TxMode::kWrite, [&](Tx& dst) -> Status {
      for (const auto table : kLabTables) {
        const auto columns = QS_TRY(src.TableColumns(table));
        const auto target_columns = QS_TRY(dst.TableColumns(table));
        if (columns != target_columns) {
          return Internal("the table " + std::string(table) +
                          " has different columns in the source and the target");
        }
        const std::int64_t total = QS_TRY(src.CountRows(table));
        std::int64_t done = 0;
        std::vector<RawRow> batch;
        constexpr std::size_t kBatch = 2000;
        auto flush = [&]() -> Status {
          QS_TRY_STATUS(dst.InsertRows(table, columns, batch));
          done += static_cast<std::int64_t>(batch.size());
          batch.clear();
          if (progress) progress(table, done, total);
          return {};
        };
        QS_TRY_STATUS(src.ScanTable(table, [&](const RawRow& row) -> Status {
          batch.push_back(row);
          if (batch.size() == kBatch) return flush();
          return {};
        }));
        QS_TRY_STATUS(flush());
        counts.push_back({std::string(table), total, 0});
      }
      return {};
    });
  }));
  QS_TRY_STATUS(to.Transact(TxMode::kRead, [&](Tx& dst) -> Status {
    for (auto& c : counts) c.to = QS_TRY(dst.CountRows(c.table));
    return {};
  }));
  for (const auto& c : counts) {
    if (c.from != c.to) {
      return Internal("the copy of " + c.table + " holds " + std::to_string(c.to) +
                      " rows but the source has " + std::to_string(c.from));
    }
  }
  return counts;
}

}  // namespace qiusuo
