// The Merkle tree against the reference vectors of RFC 6962 as published with
// Certificate Transparency's implementations (leaves "", 00, 10, 2021, 3031, 40414243,
// 5051525354555657, 606162636465666768696a6b6c6d6e6f), and properties over many sizes.
#include "ledger/merkle.h"

#include <gtest/gtest.h>

#include <random>

namespace qiusuo::ledger {
namespace {

std::string Bytes(std::string_view hex) { return *crypto::FromHex(hex); }
Hash H(std::string_view hex) { return *ParseHash(hex); }

std::vector<Hash> ReferenceLeaves() {
  std::vector<Hash> out;
  for (const char* hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                          "606162636465666768696a6b6c6d6e6f"}) {
    out.push_back(LeafHash(Bytes(hex)));
  }
  return out;
}

const char* const kRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

std::vector<std::string> Hexes(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  out.reserve(hashes.size());
  for (const auto& h : hashes) out.push_back(Hex(h));
  return out;
}

TEST(Merkle, RootsMatchTheReference) {
  const auto leaves = ReferenceLeaves();
  Frontier frontier;
  EXPECT_EQ(Hex(RootOf({})), kRoots[0]);
  EXPECT_EQ(Hex(frontier.Root()), kRoots[0]);
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    frontier.Append(leaves[n - 1]);
    EXPECT_EQ(Hex(RootOf(std::span(leaves).first(n))), kRoots[n]) << "size " << n;
    EXPECT_EQ(Hex(frontier.Root()), kRoots[n]) << "incremental, size " << n;
  }
}

TEST(Merkle, InclusionProofsMatchTheReference) {
  const auto leaves = ReferenceLeaves();
  struct Case {
    std::size_t index, size;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& c : cases) {
    const auto proof = InclusionProof(c.index, std::span(leaves).first(c.size));
    EXPECT_EQ(Hexes(proof), c.proof) << c.index << " in " << c.size;
    EXPECT_TRUE(VerifyInclusion(c.index, c.size, leaves[c.index], proof, H(kRoots[c.size])));
    EXPECT_FALSE(VerifyInclusion(c.index, c.size, leaves[c.index], proof, H(kRoots[0])));
  }
}

TEST(Merkle, ConsistencyProofsMatchTheReference) {
  const auto leaves = ReferenceLeaves();
  struct Case {
    std::size_t first, second;
    std::vector<std::string> proof;
  };
  const std::vector<Case> cases = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const auto& c : cases) {
    const auto proof = ConsistencyProof(c.first, std::span(leaves).first(c.second));
    EXPECT_EQ(Hexes(proof), c.proof) << c.first << " -> " << c.second;
    EXPECT_TRUE(
        VerifyConsistency(c.first, c.second, proof, H(kRoots[c.first]), H(kRoots[c.second])));
  }
}

// Every leaf of every size up to 70 proves its inclusion, every pair of sizes proves
// consistency, and a changed leaf, root or proof element fails.
TEST(Merkle, ProofsVerifyForEveryShapeAndTamperingFails) {
  std::mt19937 rng(6962);
  std::vector<Hash> leaves;
  for (int i = 0; i < 70; ++i) leaves.push_back(LeafHash(std::to_string(rng())));
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    const auto d = std::span(leaves).first(n);
    const Hash root = RootOf(d);
    for (std::size_t i = 0; i < n; ++i) {
      auto proof = InclusionProof(i, d);
      ASSERT_TRUE(VerifyInclusion(i, n, leaves[i], proof, root)) << i << "/" << n;
      ASSERT_FALSE(VerifyInclusion(i, n, leaves[(i + 1) % leaves.size()], proof, root));
      if (!proof.empty()) {
        proof[0][0] ^= 1;
        ASSERT_FALSE(VerifyInclusion(i, n, leaves[i], proof, root));
      }
    }
    for (std::size_t m = 1; m <= n; ++m) {
      const Hash old_root = RootOf(d.first(m));
      auto proof = ConsistencyProof(m, d);
      ASSERT_TRUE(VerifyConsistency(m, n, proof, old_root, root)) << m << " -> " << n;
      Hash wrong = old_root;
      wrong[5] ^= 1;
      ASSERT_FALSE(VerifyConsistency(m, n, proof, wrong, root)) << m << " -> " << n;
    }
  }
}

// The tree that keeps its complete subtrees gives the same roots and proofs as the
// definitions, for every size, leaf and pair of sizes up to 70.
TEST(Merkle, TheIndexedTreeAgreesWithTheDefinitions) {
  std::mt19937 rng(9162);
  std::vector<Hash> leaves;
  Tree tree;
  EXPECT_EQ(tree.RootOf(0), EmptyRoot());
  for (int i = 0; i < 70; ++i) {
    leaves.push_back(LeafHash(std::to_string(rng())));
    tree.Append(leaves.back());
  }
  ASSERT_EQ(tree.size(), leaves.size());
  for (std::size_t n = 1; n <= leaves.size(); ++n) {
    const auto d = std::span(leaves).first(n);
    ASSERT_EQ(tree.RootOf(n), RootOf(d)) << n;
    for (std::size_t i = 0; i < n; ++i)
      ASSERT_EQ(tree.InclusionProof(i, n), InclusionProof(i, d)) << i << "/" << n;
    for (std::size_t m = 1; m <= n; ++m)
      ASSERT_EQ(tree.ConsistencyProof(m, n), ConsistencyProof(m, d)) << m << " -> " << n;
  }
  EXPECT_TRUE(tree.InclusionProof(70, 70).empty());
  EXPECT_TRUE(tree.ConsistencyProof(3, 71).empty());
}

}  // namespace
}  // namespace qiusuo::ledger
