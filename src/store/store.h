#pragma once
// One storage interface for the lab. Implementations: sqlite/ (the default, one
// file) and postgres/ (PostgreSQL, for a lab that outgrows one machine); both run
// the same SQL (sql/sql_tx.h) and pass store_contract_test.cc.
//
// Every use case runs inside Store::Transact: the function sees a Tx, and either
// everything it wrote is committed or nothing is. The store keeps data, it does
// not decide rules: who may do what lives in core/ and service/.
//
// Tx is split by area as the services are: lab_tx.h (members, tokens, invites,
// ideas, projects, memberships, tasks), compute_tx.h (jobs, notes, boosts, GPU
// samples), record_tx.h (ledger, checkpoints, identities, reward rounds and points),
// and table_tx.h (whole tables, for copying a lab). A helper that needs one area
// takes that interface; a Tx is all of them.

#include <functional>
#include <type_traits>

#include "common/error.h"
#include "store/compute_tx.h"
#include "store/lab_tx.h"
#include "store/record_tx.h"
#include "store/table_tx.h"

namespace qiusuo {

// Everything a use case may read or write in one transaction: every area at once.
class Tx : public TableTx, public LabTx, public ComputeTx, public RecordTx {};

enum class TxMode { kRead, kWrite };

class Store;

// Runs `fn(tx)`, which returns a Result<T>, in one read transaction and yields that
// result: the common shape of a use case that only looks.
template <typename F>
auto Read(Store& store, F&& fn) -> std::invoke_result_t<F&, Tx&>;

class Store {
 public:
  virtual ~Store() = default;
  // Runs `fn` in one transaction; commits when it returns success, rolls back
  // otherwise. Errors of the database itself come back as kUnavailable/kInternal.
  virtual Status Transact(TxMode mode, const std::function<Status(Tx&)>& fn) = 0;
  // The schema version the database is at.
  virtual Result<int> SchemaVersion() = 0;
};

template <typename F>
auto Read(Store& store, F&& fn) -> std::invoke_result_t<F&, Tx&> {
  std::invoke_result_t<F&, Tx&> out =
      std::unexpected(Error{ErrorCode::kInternal, "the read did not run", {}});
  QS_TRY_STATUS(store.Transact(TxMode::kRead, [&](Tx& tx) -> Status {
    out = fn(tx);
    if (!out) return std::unexpected(out.error());
    return {};
  }));
  return out;
}

}  // namespace qiusuo
