#pragma once
// The few cryptographic primitives the lab needs, over libsodium.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/error.h"

namespace qiusuo::crypto {

// Must be called once before any other function (idempotent, thread-safe).
Status Init();

// Argon2id cost. kInteractive is libsodium's OPSLIMIT/MEMLIMIT_INTERACTIVE (2 passes,
// 64 MiB); kMinimum exists for tests that create many accounts.
struct PasswordCost {
  unsigned long long ops;
  std::size_t mem_bytes;
};
PasswordCost InteractiveCost();
PasswordCost MinimumCost();

// An encoded Argon2id hash ("$argon2id$v=19$m=...") with its own salt and parameters.
Result<std::string> HashPassword(std::string_view password, PasswordCost cost);
// Constant-time verification against an encoded hash.
bool VerifyPassword(std::string_view encoded_hash, std::string_view password);

// `bytes` random bytes from the OS CSPRNG, hex encoded.
std::string RandomHex(std::size_t bytes);
// SHA-256 of data, lowercase hex.
std::string Sha256Hex(std::string_view data);

}  // namespace qiusuo::crypto
