#pragma once
// The Merkle tree of RFC 6962 / RFC 9162 (section 2.1): leaf = SHA-256(0x00 || entry),
// node = SHA-256(0x01 || left || right); the root of an empty tree is SHA-256("").
// Inclusion and consistency proofs, and their verification as RFC 9162 specifies it.

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/crypto.h"

namespace qiusuo::ledger {

using Hash = crypto::Digest;

Hash LeafHash(std::string_view entry);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyRoot();
std::string Hex(const Hash& h);
// nullopt unless `hex` is 64 hex digits.
std::optional<Hash> ParseHash(std::string_view hex);

// MTH(D[n]) over the leaf hashes.
Hash RootOf(std::span<const Hash> leaves);
// PATH(index, D[n]) and PROOF(m, D[n]).
std::vector<Hash> InclusionProof(std::size_t index, std::span<const Hash> leaves);
std::vector<Hash> ConsistencyProof(std::size_t m, std::span<const Hash> leaves);

bool VerifyInclusion(std::size_t index, std::size_t size, const Hash& leaf,
                     std::span<const Hash> proof, const Hash& root);
bool VerifyConsistency(std::size_t first, std::size_t second, std::span<const Hash> proof,
                       const Hash& first_root, const Hash& second_root);

// A growing tree that keeps the hash of every complete, aligned power-of-two subtree
// (twice the leaves' memory), so the root of any prefix and any proof cost O(log n)
// hashes instead of O(n). Same results as the functions above.
class Tree {
 public:
  void Append(const Hash& leaf);
  std::size_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& Leaf(std::size_t index) const { return levels_[0][index]; }
  // MTH of the first n leaves (n <= size()).
  Hash RootOf(std::size_t n) const;
  std::vector<Hash> InclusionProof(std::size_t index, std::size_t n) const;
  std::vector<Hash> ConsistencyProof(std::size_t m, std::size_t n) const;

 private:
  Hash Subtree(std::size_t begin, std::size_t end) const;  // MTH(D[begin:end])
  void Path(std::size_t m, std::size_t begin, std::size_t end, std::vector<Hash>& out) const;
  void SubProof(std::size_t m, std::size_t begin, std::size_t end, bool complete,
                std::vector<Hash>& out) const;
  std::vector<std::vector<Hash>> levels_;  // levels_[k][i]: leaves [i*2^k, (i+1)*2^k)
};

// The right edge of a growing tree (one hash per full subtree), so appending a leaf
// and reading the root cost O(log n) rather than O(n).
class Frontier {
 public:
  void Append(const Hash& leaf);
  Hash Root() const;
  std::size_t size() const { return size_; }

 private:
  std::vector<std::pair<Hash, std::size_t>> subtrees_;  // (root, leaves), largest first
  std::size_t size_ = 0;
};

}  // namespace qiusuo::ledger
