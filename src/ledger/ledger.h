#pragma once
// The contribution ledger's formats: the canonical encoding of an entry (version 1),
// signed checkpoints, and the export file with its offline verification.
//
// Entry encoding v1: one line of JSON with exactly these keys in this order, no
// spaces, integers only, strings as UTF-8 escaping only '"', '\' and control
// characters (as \u00xx):
//   {"v":1,"seq":7,"at":1764460800,"prev":"<64 hex>","actor":"ada","contributor":"@bob",
//    "kind":"review","project":3,"quantity":0,"unit":"","evidence":"url:https://...",
//    "note":"...","self":false,"corrects":null}
// Its leaf hash is SHA-256(0x00 || those bytes); `prev` is the previous entry's leaf
// hash (empty for entry 1), so the entries form a hash chain as well as a tree.
//
// Export (JSON Lines): one line per entry, {"hash":"<leaf hash>","entry":<entry bytes>},
// then one line {"checkpoint":{...}} with the latest signed checkpoint.

#include <cstdint>
#include <functional>
#include <istream>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.h"
#include "core/contribution.h"
#include "ledger/merkle.h"

namespace qiusuo::ledger {

std::string Encode(const Contribution& c);
// Strict: the bytes must be exactly what Encode would write for the entry they hold.
Result<Contribution> Decode(std::string_view bytes);

struct Checkpoint {
  std::int64_t tree_size = 0;
  Hash root{};
  UnixSeconds at = 0;
  std::string signature;  // Ed25519 over Message(), raw bytes
};

// What is signed: "qiusuo-ledger-checkpoint-v1\n<size>\n<root hex>\n<at>\n".
std::string CheckpointMessage(const Checkpoint& cp);
void SignCheckpoint(Checkpoint& cp, std::string_view secret_key);
bool VerifyCheckpoint(const Checkpoint& cp, std::string_view public_key);

std::string ExportLine(std::string_view entry_bytes, const Hash& leaf);
std::string CheckpointLine(const Checkpoint& cp, std::string_view public_key);

struct VerifyReport {
  bool ok = false;
  std::int64_t entries = 0;             // entries read
  std::optional<std::int64_t> bad_seq;  // the first entry that does not hold
  std::string message;                  // what is wrong, or a summary of what holds
  Checkpoint checkpoint;
  std::string public_key;  // raw bytes, from the file
};

// Recomputes everything: each entry's encoding, hash, sequence and chain link, the
// Merkle root, and the checkpoint's signature (against `pinned_key` when given, else
// the key in the file). `progress` (may be null) is called every 65,536 entries;
// `on_entry` (may be null) receives each entry once it holds, so a caller that needs
// the entries (a recompute) does not read and decode the file a second time. Use them
// only if the report says ok.
VerifyReport VerifyExport(std::istream& in, const std::optional<std::string>& pinned_key,
                          const std::function<void(std::int64_t)>& progress = {},
                          const std::function<void(Contribution&&)>& on_entry = {});

}  // namespace qiusuo::ledger
