#pragma once
// The few cryptographic primitives the lab needs, over libsodium.

#include <array>
#include <cstdint>
#include <optional>
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

using Digest = std::array<unsigned char, 32>;
// SHA-256 of the concatenation of `parts`.
Digest Sha256(std::initializer_list<std::string_view> parts);

std::string ToHex(std::string_view bytes);
// Lowercase or uppercase hex to bytes; nullopt if `hex` is not hex of even length.
std::optional<std::string> FromHex(std::string_view hex);

// Ed25519 (libsodium crypto_sign_*): 32-byte public keys, 64-byte secret keys and
// 64-byte detached signatures, all as raw byte strings.
struct SigningKey {
  std::string public_key;
  std::string secret_key;
};
SigningKey NewSigningKey();
std::string Sign(std::string_view message, std::string_view secret_key);
bool VerifySignature(std::string_view message, std::string_view signature,
                     std::string_view public_key);

}  // namespace qiusuo::crypto
