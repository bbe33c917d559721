#include "ledger/merkle.h"

namespace qiusuo::ledger {
namespace {

std::string_view View(const Hash& h) { return {reinterpret_cast<const char*>(h.data()), h.size()}; }

// The largest power of two smaller than n (n > 1).
std::size_t Split(std::size_t n) {
  std::size_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

void Path(std::size_t m, std::span<const Hash> d, std::vector<Hash>& out) {
  if (d.size() <= 1) return;
  const std::size_t k = Split(d.size());
  if (m < k) {
    Path(m, d.first(k), out);
    out.push_back(RootOf(d.subspan(k)));
  } else {
    Path(m - k, d.subspan(k), out);
    out.push_back(RootOf(d.first(k)));
  }
}

void SubProof(std::size_t m, std::span<const Hash> d, bool complete, std::vector<Hash>& out) {
  const std::size_t n = d.size();
  if (m == n) {
    if (!complete) out.push_back(RootOf(d));
    return;
  }
  const std::size_t k = Split(n);
  if (m <= k) {
    SubProof(m, d.first(k), complete, out);
    out.push_back(RootOf(d.subspan(k)));
  } else {
    SubProof(m - k, d.subspan(k), false, out);
    out.push_back(RootOf(d.first(k)));
  }
}

bool IsPowerOfTwo(std::size_t n) { return n != 0 && (n & (n - 1)) == 0; }

}  // namespace

Hash LeafHash(std::string_view entry) {
  constexpr char kLeaf = 0x00;
  return crypto::Sha256({std::string_view(&kLeaf, 1), entry});
}

Hash NodeHash(const Hash& left, const Hash& right) {
  constexpr char kNode = 0x01;
  return crypto::Sha256({std::string_view(&kNode, 1), View(left), View(right)});
}

Hash EmptyRoot() { return crypto::Sha256({}); }

std::string Hex(const Hash& h) { return crypto::ToHex(View(h)); }

std::optional<Hash> ParseHash(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto bytes = crypto::FromHex(hex);
  if (!bytes) return std::nullopt;
  Hash h;
  std::copy(bytes->begin(), bytes->end(), h.begin());
  return h;
}

Hash RootOf(std::span<const Hash> leaves) {
  if (leaves.empty()) return EmptyRoot();
  if (leaves.size() == 1) return leaves[0];
  const std::size_t k = Split(leaves.size());
  return NodeHash(RootOf(leaves.first(k)), RootOf(leaves.subspan(k)));
}

std::vector<Hash> InclusionProof(std::size_t index, std::span<const Hash> leaves) {
  std::vector<Hash> out;
  if (index < leaves.size()) Path(index, leaves, out);
  return out;
}

std::vector<Hash> ConsistencyProof(std::size_t m, std::span<const Hash> leaves) {
  std::vector<Hash> out;
  if (m > 0 && m <= leaves.size()) SubProof(m, leaves, true, out);
  return out;
}

// RFC 9162, 2.1.3.2.
bool VerifyInclusion(std::size_t index, std::size_t size, const Hash& leaf,
                     std::span<const Hash> proof, const Hash& root) {
  if (index >= size) return false;
  std::size_t fn = index;
  std::size_t sn = size - 1;
  Hash r = leaf;
  for (const Hash& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      r = NodeHash(p, r);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

// RFC 9162, 2.1.4.2.
bool VerifyConsistency(std::size_t first, std::size_t second, std::span<const Hash> proof,
                       const Hash& first_root, const Hash& second_root) {
  if (first == 0 || first > second) return false;
  if (first == second) return proof.empty() && first_root == second_root;
  if (proof.empty()) return false;
  std::vector<Hash> path;
  if (IsPowerOfTwo(first)) path.push_back(first_root);
  path.insert(path.end(), proof.begin(), proof.end());
  std::size_t fn = first - 1;
  std::size_t sn = second - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) != 0 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      while ((fn & 1) == 0 && fn != 0) {
        fn >>= 1;
        sn >>= 1;
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

void Tree::Append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  for (std::size_t k = 0; levels_[k].size() % 2 == 0; ++k) {
    if (k + 1 == levels_.size()) levels_.emplace_back();
    const auto& level = levels_[k];
    levels_[k + 1].push_back(NodeHash(level[level.size() - 2], level.back()));
  }
}

Hash Tree::Subtree(std::size_t begin, std::size_t end) const {
  const std::size_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if (IsPowerOfTwo(n) && begin % n == 0) {
    std::size_t k = 0;
    while ((std::size_t{1} << k) < n) ++k;
    return levels_[k][begin >> k];
  }
  const std::size_t k = Split(n);
  return NodeHash(Subtree(begin, begin + k), Subtree(begin + k, end));
}

Hash Tree::RootOf(std::size_t n) const { return Subtree(0, n); }

void Tree::Path(std::size_t m, std::size_t begin, std::size_t end, std::vector<Hash>& out) const {
  const std::size_t n = end - begin;
  if (n <= 1) return;
  const std::size_t k = Split(n);
  if (m < k) {
    Path(m, begin, begin + k, out);
    out.push_back(Subtree(begin + k, end));
  } else {
    Path(m - k, begin + k, end, out);
    out.push_back(Subtree(begin, begin + k));
  }
}

void Tree::SubProof(std::size_t m, std::size_t begin, std::size_t end, bool complete,
                    std::vector<Hash>& out) const {
  const std::size_t n = end - begin;
  if (m == n) {
    if (!complete) out.push_back(Subtree(begin, end));
    return;
  }
  const std::size_t k = Split(n);
  if (m <= k) {
    SubProof(m, begin, begin + k, complete, out);
    out.push_back(Subtree(begin + k, end));
  } else {
    SubProof(m - k, begin + k, end, false, out);
    out.push_back(Subtree(begin, begin + k));
  }
}

std::vector<Hash> Tree::InclusionProof(std::size_t index, std::size_t n) const {
  std::vector<Hash> out;
  if (index < n && n <= size()) Path(index, 0, n, out);
  return out;
}

std::vector<Hash> Tree::ConsistencyProof(std::size_t m, std::size_t n) const {
  std::vector<Hash> out;
  if (m > 0 && m <= n && n <= size()) SubProof(m, 0, n, true, out);
  return out;
}

void Frontier::Append(const Hash& leaf) {
  Hash h = leaf;
  std::size_t n = 1;
  while (!subtrees_.empty() && subtrees_.back().second == n) {
    h = NodeHash(subtrees_.back().first, h);
    n *= 2;
    subtrees_.pop_back();
  }
  subtrees_.emplace_back(h, n);
  ++size_;
}

Hash Frontier::Root() const {
  if (subtrees_.empty()) return EmptyRoot();
  Hash r = subtrees_.back().first;
  for (auto it = subtrees_.rbegin() + 1; it != subtrees_.rend(); ++it) r = NodeHash(it->first, r);
  return r;
}

}  // namespace qiusuo::ledger
