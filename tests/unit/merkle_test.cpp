// RFC 9162 Merkle tree: the library against a straightforward reference implementation of the
// RFC's recursive definitions, for every tree size from 1 to 64, and against published roots.
#include "passerelle/crypto/merkle.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <string>

#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/merkle_tree.hpp"

namespace passerelle::crypto {
namespace {

// ---- Reference: RFC 9162 §2.1.1-2.1.4, word for word, over the entries themselves. ----
Hash sha256(const std::string& bytes) {
  Hash h{};
  crypto_hash_sha256(h.data(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
  return h;
}
std::string raw(const Hash& h) {
  return std::string(reinterpret_cast<const char*>(h.data()), h.size());
}
std::uint64_t largestPowerOfTwoBelow(std::uint64_t n) {
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}
using Entries = std::vector<std::string>;
Entries slice(const Entries& d, std::size_t from, std::size_t to) {
  return Entries(d.begin() + from, d.begin() + to);
}

Hash MTH(const Entries& d) {
  if (d.empty()) return sha256("");
  if (d.size() == 1) return sha256(std::string(1, '\0') + d[0]);
  const auto k = largestPowerOfTwoBelow(d.size());
  return sha256(std::string(1, '\1') + raw(MTH(slice(d, 0, k))) + raw(MTH(slice(d, k, d.size()))));
}
std::vector<Hash> PATH(std::uint64_t m, const Entries& d) {
  if (d.size() == 1) return {};
  const auto k = largestPowerOfTwoBelow(d.size());
  std::vector<Hash> out;
  if (m < k) {
    out = PATH(m, slice(d, 0, k));
    out.push_back(MTH(slice(d, k, d.size())));
  } else {
    out = PATH(m - k, slice(d, k, d.size()));
    out.push_back(MTH(slice(d, 0, k)));
  }
  return out;
}
std::vector<Hash> SUBPROOF(std::uint64_t m, const Entries& d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash>{} : std::vector<Hash>{MTH(d)};
  const auto k = largestPowerOfTwoBelow(d.size());
  std::vector<Hash> out;
  if (m <= k) {
    out = SUBPROOF(m, slice(d, 0, k), b);
    out.push_back(MTH(slice(d, k, d.size())));
  } else {
    out = SUBPROOF(m - k, slice(d, k, d.size()), false);
    out.push_back(MTH(slice(d, 0, k)));
  }
  return out;
}

// ---- Fixtures ----
Entries entries(std::size_t n) {
  Entries d;
  for (std::size_t i = 0; i < n; ++i) d.push_back("entrée d'audit n°" + std::to_string(i));
  return d;
}
std::vector<Hash> leavesOf(const Entries& d) {
  std::vector<Hash> out;
  for (const auto& e : d) out.push_back(leafHash(e));
  return out;
}

TEST(MerkleTest, RootsMatchTheReferenceForEverySize) {
  EXPECT_EQ(rootHash({}), MTH({}));
  for (std::size_t n = 1; n <= 64; ++n) {
    const auto d = entries(n);
    EXPECT_EQ(rootHash(leavesOf(d)), MTH(d)) << n;
  }
}

TEST(MerkleTest, RootsMatchTheCertificateTransparencyTestVectors) {
  // The eight leaves of the Certificate Transparency reference tests, and the published roots
  // of their first 1..8 leaves.
  const Entries d = {"",
                     std::string(1, '\0'),
                     "\x10",
                     "\x20\x21",
                     "\x30\x31",
                     "\x40\x41\x42\x43",
                     "\x50\x51\x52\x53\x54\x55\x56\x57",
                     "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  const std::vector<std::string> roots = {
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  for (std::size_t n = 1; n <= 8; ++n)
    EXPECT_EQ(toHex(raw(rootHash(leavesOf(slice(d, 0, n))))), roots[n - 1]) << n;
  EXPECT_EQ(toHex(raw(rootHash({}))),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MerkleTest, InclusionProofsMatchTheReferenceAndVerify) {
  for (std::size_t n = 1; n <= 64; ++n) {
    const auto d = entries(n);
    const auto leaves = leavesOf(d);
    const auto root = rootHash(leaves);
    for (std::uint64_t m = 0; m < n; ++m) {
      const auto proof = inclusionProof(leaves, m);
      ASSERT_EQ(proof, PATH(m, d)) << n << " " << m;
      EXPECT_TRUE(verifyInclusion(leaves[m], m, n, proof, root)) << n << " " << m;
      EXPECT_FALSE(verifyInclusion(leafHash("autre"), m, n, proof, root));
      if (n > 1) {
        EXPECT_FALSE(verifyInclusion(leaves[m], (m + 1) % n, n, proof, root)) << n << " " << m;
      }
      for (std::size_t i = 0; i < proof.size(); ++i) {
        auto tampered = proof;
        tampered[i][0] ^= 1;
        EXPECT_FALSE(verifyInclusion(leaves[m], m, n, tampered, root)) << n << " " << m << " " << i;
      }
      if (!proof.empty()) {
        auto shorter = proof;
        shorter.pop_back();
        EXPECT_FALSE(verifyInclusion(leaves[m], m, n, shorter, root));
      }
    }
    EXPECT_THROW(inclusionProof(leaves, n), std::out_of_range);
  }
}

TEST(MerkleTest, ConsistencyProofsMatchTheReferenceAndVerify) {
  for (std::size_t n = 1; n <= 64; ++n) {
    const auto d = entries(n);
    const auto leaves = leavesOf(d);
    const auto new_root = rootHash(leaves);
    for (std::uint64_t m = 1; m <= n; ++m) {
      const auto old_root = rootHash(std::span<const Hash>(leaves).first(m));
      const auto proof = consistencyProof(leaves, m);
      if (m < n) {
        ASSERT_EQ(proof, SUBPROOF(m, d, true)) << m << " " << n;
      } else {
        EXPECT_TRUE(proof.empty());
      }
      EXPECT_TRUE(verifyConsistency(m, n, old_root, new_root, proof)) << m << " " << n;
      if (m == n) continue;
      EXPECT_FALSE(verifyConsistency(m, n, leafHash("faux"), new_root, proof));
      EXPECT_FALSE(verifyConsistency(m, n, old_root, leafHash("faux"), proof));
      EXPECT_FALSE(verifyConsistency(m, n, old_root, new_root, {}));
      for (std::size_t i = 0; i < proof.size(); ++i) {
        auto tampered = proof;
        tampered[i][5] ^= 0x80;
        EXPECT_FALSE(verifyConsistency(m, n, old_root, new_root, tampered))
            << m << " " << n << " " << i;
      }
    }
    EXPECT_THROW(consistencyProof(leaves, n + 1), std::out_of_range);
  }
}

TEST(MerkleTest, ARewrittenHistoryIsNotConsistent) {
  auto d = entries(20);
  const auto old_root = rootHash(leavesOf(slice(d, 0, 10)));
  d[3] = "entrée modifiée";
  const auto leaves = leavesOf(d);
  EXPECT_FALSE(verifyConsistency(10, 20, old_root, rootHash(leaves), consistencyProof(leaves, 10)));
}

// The audit log grows one tree and asks it about older sizes: every prefix must answer as the
// reference does over that prefix alone.
TEST(MerkleTreeTest, AGrownTreeAnswersForEveryPrefixAsTheReference) {
  const auto d = entries(64);
  MerkleTree tree;
  for (const auto& leaf : leavesOf(d)) tree.append(leaf);
  ASSERT_EQ(tree.size(), 64u);
  for (std::uint64_t n = 1; n <= 64; ++n) {
    const auto prefix = slice(d, 0, n);
    ASSERT_EQ(tree.root(n), MTH(prefix)) << n;
    for (std::uint64_t m = 0; m < n; ++m) ASSERT_EQ(tree.inclusionProof(m, n), PATH(m, prefix));
    for (std::uint64_t m = 1; m < n; ++m)
      ASSERT_EQ(tree.consistencyProof(m, n), SUBPROOF(m, prefix, true)) << m << " " << n;
  }
  EXPECT_THROW(tree.root(65), std::out_of_range);
  EXPECT_THROW(tree.inclusionProof(3, 65), std::out_of_range);
  EXPECT_THROW(tree.consistencyProof(10, 9), std::out_of_range);
}

}  // namespace
}  // namespace passerelle::crypto
