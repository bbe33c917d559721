// Ledger figures, printed for the closing note and `make bench-ledger`:
//   append   entries/s through the real SQLite store: one transaction per entry (as
//            a thank or an act), and 1,000 entries per transaction (as an import);
//   export   writes an N-entry export (default 1,000,000) to FILE for the verify
//            benchmark, which scripts/bench-ledger.sh runs beside sha256sum.
//   proofs   inclusion proofs in an N-leaf tree, from the leaves vs the indexed tree.
// Usage: ledger_bench append DIR [N] | export FILE [N] | proofs N
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "common/temp_dir.h"
#include "ledger/ledger.h"
#include "service/record.h"
#include "store/sqlite/sqlite_store.h"

namespace {

using qiusuo::Contribution;
using Clock = std::chrono::steady_clock;

Contribution Sample(std::int64_t i) {
  Contribution c;
  c.at = 1'790'000'000 + i;
  c.actor = "qiusuo";
  c.contributor = "@member-" + std::to_string(i % 97);
  c.kind = i % 3 ? "investigation" : "review";
  c.project = i % 11;
  c.quantity_milli = (i * 7919) % 100'000;
  c.unit = "gpu-hours";
  c.evidence = "job:" + std::to_string(i);
  c.note = "job train-" + std::to_string(i) + " succeeded (exited 0)";
  return c;
}

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

int Append(const std::string& dir, std::int64_t n) {
  for (const int batch : {1, 1000}) {
    auto store = qiusuo::OpenSqliteStore({dir + "/append-" + std::to_string(batch) + ".db"});
    if (!store) {
      std::fprintf(stderr, "%s\n", store.error().message.c_str());
      return 1;
    }
    const auto start = Clock::now();
    for (std::int64_t i = 0; i < n; i += batch) {
      auto st = (*store)->Transact(qiusuo::TxMode::kWrite, [&](qiusuo::Tx& tx) -> qiusuo::Status {
        for (std::int64_t k = i; k < std::min(n, i + batch); ++k)
          QS_TRY(qiusuo::AppendContribution(tx, Sample(k)));
        return {};
      });
      if (!st) {
        std::fprintf(stderr, "%s\n", st.error().message.c_str());
        return 1;
      }
    }
    const double s = Seconds(start);
    std::printf("append %lld entries, %4d per transaction: %8.0f entries/s (%.2f s)\n",
                static_cast<long long>(n), batch, static_cast<double>(n) / s, s);
  }
  return 0;
}

int Export(const std::string& path, std::int64_t n) {
  const auto key = qiusuo::crypto::NewSigningKey();
  std::ofstream out(path, std::ios::trunc);
  qiusuo::ledger::Frontier frontier;
  std::string prev;
  for (std::int64_t i = 1; i <= n; ++i) {
    Contribution c = Sample(i);
    c.seq = i;
    c.prev = prev;
    const std::string bytes = qiusuo::ledger::Encode(c);
    const auto leaf = qiusuo::ledger::LeafHash(bytes);
    out << qiusuo::ledger::ExportLine(bytes, leaf) << '\n';
    frontier.Append(leaf);
    prev = qiusuo::ledger::Hex(leaf);
  }
  qiusuo::ledger::Checkpoint cp{n, frontier.Root(), 1'790'000'000 + n, {}};
  qiusuo::ledger::SignCheckpoint(cp, key.secret_key);
  out << qiusuo::ledger::CheckpointLine(cp, key.public_key) << '\n';
  return out ? 0 : 1;
}

// Inclusion proofs in a 1,000,000-leaf tree: from the leaves alone (the definition,
// O(n) a proof) and from the indexed tree the server keeps (O(log n)).
int Proofs(std::int64_t n) {
  std::vector<qiusuo::ledger::Hash> leaves;
  qiusuo::ledger::Tree tree;
  leaves.reserve(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    leaves.push_back(qiusuo::ledger::LeafHash(std::to_string(i)));
    tree.Append(leaves.back());
  }
  const auto size = static_cast<std::size_t>(n);
  auto start = Clock::now();
  constexpr int kFromLeaves = 5;
  for (int i = 0; i < kFromLeaves; ++i)
    (void)qiusuo::ledger::InclusionProof(size / 7 * static_cast<std::size_t>(i), leaves);
  const double slow = Seconds(start) / kFromLeaves;
  start = Clock::now();
  constexpr int kIndexed = 10000;
  for (int i = 0; i < kIndexed; ++i)
    (void)tree.InclusionProof(static_cast<std::size_t>(i) * 97 % size, size);
  const double fast = Seconds(start) / kIndexed;
  std::printf(
      "inclusion proof in %lld leaves: from the leaves %.1f ms, indexed tree %.1f us "
      "(%.0fx)\n",
      static_cast<long long>(n), slow * 1e3, fast * 1e6, slow / fast);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: ledger_bench append DIR [N] | ledger_bench export FILE [N]\n");
    return 2;
  }
  const std::string what = argv[1];
  if (what == "append") return Append(argv[2], argc > 3 ? std::stoll(argv[3]) : 20'000);
  if (what == "export") return Export(argv[2], argc > 3 ? std::stoll(argv[3]) : 1'000'000);
  if (what == "proofs") return Proofs(std::stoll(argv[2]));
  return 2;
}
