#pragma once
// Whole tables of a lab, as rows of text: what copying a lab between stores needs
// (qiusuo migrate, backup and restore of PostgreSQL; see copy.h). Part of Tx.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace qiusuo {

// Every table of a lab, parents before children: the order in which a whole lab is
// copied between stores (qiusuo migrate, backup and restore of PostgreSQL).
inline constexpr std::string_view kLabTables[] = {"members",
                                                  "tokens",
                                                  "signup_invites",
                                                  "ideas",
                                                  "backings",
                                                  "projects",
                                                  "memberships",
                                                  "tasks",
                                                  "jobs",
                                                  "job_notes",
                                                  "boosts",
                                                  "ledger",
                                                  "ledger_checkpoints",
                                                  "reward_rounds",
                                                  "reward_points",
                                                  "identity_claims",
                                                  "gpu_samples",
                                                  "known_clients",
                                                  "password_resets"};

// A row as text, in its table's column order; NULL is nullopt.
using RawRow = std::vector<std::optional<std::string>>;

class TableTx {
 public:
  virtual ~TableTx() = default;

  // `table` must be in kLabTables.
  virtual Result<std::vector<std::string>> TableColumns(std::string_view table) = 0;
  virtual Result<std::int64_t> CountRows(std::string_view table) = 0;
  // Every row, in primary-key order.
  virtual Status ScanTable(std::string_view table,
                           const std::function<Status(const RawRow&)>& row) = 0;
  // Inserts rows as they are, ids included; later inserts get ids after them.
  virtual Status InsertRows(std::string_view table, const std::vector<std::string>& columns,
                            const std::vector<RawRow>& rows) = 0;
};

}  // namespace qiusuo
