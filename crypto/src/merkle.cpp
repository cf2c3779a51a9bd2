#include "passerelle/crypto/merkle.hpp"

#include <sodium.h>

#include <bit>
#include <stdexcept>

#include "passerelle/crypto/merkle_tree.hpp"
#include "sodium.hpp"

namespace passerelle::crypto {

Hash leafHash(std::string_view entry) {
  detail::ensureSodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const unsigned char prefix = 0x00;
  crypto_hash_sha256_update(&state, &prefix, 1);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(entry.data()),
                            entry.size());
  Hash out{};
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

Hash nodeHash(const Hash& left, const Hash& right) {
  detail::ensureSodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  const unsigned char prefix = 0x01;
  crypto_hash_sha256_update(&state, &prefix, 1);
  crypto_hash_sha256_update(&state, left.data(), left.size());
  crypto_hash_sha256_update(&state, right.data(), right.size());
  Hash out{};
  crypto_hash_sha256_final(&state, out.data());
  return out;
}

namespace {

MerkleTree treeOf(std::span<const Hash> leaves) {
  MerkleTree tree;
  for (const auto& leaf : leaves) tree.append(leaf);
  return tree;
}

}  // namespace

Hash rootHash(std::span<const Hash> leaves) {
  if (leaves.empty()) {
    detail::ensureSodium();
    Hash out{};
    crypto_hash_sha256(out.data(), nullptr, 0);
    return out;
  }
  return treeOf(leaves).root();
}

std::vector<Hash> inclusionProof(std::span<const Hash> leaves, std::uint64_t index) {
  return treeOf(leaves).inclusionProof(index, leaves.size());
}

std::vector<Hash> consistencyProof(std::span<const Hash> leaves, std::uint64_t old_size) {
  return treeOf(leaves).consistencyProof(old_size, leaves.size());
}

bool verifyInclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                     std::span<const Hash> proof, const Hash& root) {
  if (index >= size) return false;
  std::uint64_t fn = index, sn = size - 1;
  Hash r = leaf;
  for (const auto& p : proof) {
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      r = nodeHash(p, r);
      if ((fn & 1) == 0)
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

bool verifyConsistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, std::span<const Hash> proof) {
  if (old_size > new_size) return false;
  if (old_size == new_size) return proof.empty() && old_root == new_root;
  if (old_size == 0) return proof.empty();  // the empty tree is a prefix of every tree
  if (proof.empty()) return false;
  std::vector<Hash> path(proof.begin(), proof.end());
  // If old_size is a power of two, the old root itself starts the path.
  if (std::has_single_bit(old_size)) path.insert(path.begin(), old_root);
  std::uint64_t fn = old_size - 1, sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0], sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const auto& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) == 1 || fn == sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if ((fn & 1) == 0)
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == old_root && sr == new_root && sn == 0;
}

}  // namespace passerelle::crypto
