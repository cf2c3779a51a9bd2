#pragma once

#include <bit>
#include <cstdint>
#include <stdexcept>
#include <vector>

#include "passerelle/crypto/merkle.hpp"

namespace passerelle::crypto::detail {

// RFC 9162 §2.1's recursions, over any tree that can give the hash of a complete subtree:
// `node(level, position)` is MTH of the 2^level leaves from leaf position·2^level. Both trees
// (the in-memory MerkleTree and the TiledMerkleTree) share them; they differ only in where a
// node's hash is kept.

// The largest power of two strictly smaller than n (n >= 2): where RFC 9162 splits a tree.
inline std::uint64_t split(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

// MTH(D[start : start + count]).
template <typename Node>
Hash subtreeHash(const Node& node, std::uint64_t start, std::uint64_t count) {
  if (std::has_single_bit(count) && start % count == 0)
    return node(static_cast<unsigned>(std::countr_zero(count)), start / count);
  const auto k = split(count);
  return nodeHash(subtreeHash(node, start, k), subtreeHash(node, start + k, count - k));
}

// PATH(m, D[start : start + n]), appended to `out`.
template <typename Node>
void inclusionPath(const Node& node, std::uint64_t m, std::uint64_t start, std::uint64_t n,
                   std::vector<Hash>& out) {
  if (n <= 1) return;
  const auto k = split(n);
  if (m < k) {
    inclusionPath(node, m, start, k, out);
    out.push_back(subtreeHash(node, start + k, n - k));
  } else {
    inclusionPath(node, m - k, start + k, n - k, out);
    out.push_back(subtreeHash(node, start, k));
  }
}

// SUBPROOF(m, D[start : start + n], complete), appended to `out`.
template <typename Node>
void consistencySubproof(const Node& node, std::uint64_t m, std::uint64_t start, std::uint64_t n,
                         bool complete, std::vector<Hash>& out) {
  if (m == n) {
    if (!complete) out.push_back(subtreeHash(node, start, n));
    return;
  }
  const auto k = split(n);
  if (m <= k) {
    consistencySubproof(node, m, start, k, complete, out);
    out.push_back(subtreeHash(node, start + k, n - k));
  } else {
    consistencySubproof(node, m - k, start + k, n - k, false, out);
    out.push_back(subtreeHash(node, start, k));
  }
}

// MTH(D[size]), PATH(index, D[size]) and PROOF(old_size, D[size]) of a tree of `tree_size`
// leaves, with the range checks both trees promise (std::out_of_range past the tree).
template <typename Node>
Hash rootOf(const Node& node, std::uint64_t tree_size, std::uint64_t size) {
  if (size > tree_size) throw std::out_of_range("Merkle tree: size beyond the tree");
  if (size == 0) return rootHash({});
  return subtreeHash(node, 0, size);
}

template <typename Node>
std::vector<Hash> inclusionProofOf(const Node& node, std::uint64_t tree_size, std::uint64_t index,
                                   std::uint64_t size) {
  if (size > tree_size) throw std::out_of_range("Merkle tree: size beyond the tree");
  if (index >= size) throw std::out_of_range("inclusion proof: index beyond the tree");
  std::vector<Hash> out;
  inclusionPath(node, index, 0, size, out);
  return out;
}

template <typename Node>
std::vector<Hash> consistencyProofOf(const Node& node, std::uint64_t tree_size,
                                     std::uint64_t old_size, std::uint64_t size) {
  if (size > tree_size) throw std::out_of_range("Merkle tree: size beyond the tree");
  if (old_size > size) throw std::out_of_range("consistency proof: old size beyond the tree");
  std::vector<Hash> out;
  if (old_size == 0 || old_size == size) return out;
  consistencySubproof(node, old_size, 0, size, true, out);
  return out;
}

}  // namespace passerelle::crypto::detail
