#pragma once

#include <cstdint>
#include <vector>

#include "passerelle/crypto/merkle.hpp"

namespace passerelle::crypto {

// An append-only RFC 9162 Merkle tree that keeps the hash of every complete subtree, so that
// the root of any prefix and every proof cost O(log² n) lookups instead of rehashing the log.
// Holds 64 bytes per leaf, all in memory: for the span functions of merkle.hpp and the tests
// (the audit log keeps its tree as tiles, tiled_merkle_tree.hpp). Not thread-safe.
class MerkleTree {
 public:
  void append(const Hash& leaf);

  std::uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& leaf(std::uint64_t index) const { return levels_.at(0).at(index); }

  // MTH of the first `size` leaves. Throws std::out_of_range past the tree.
  Hash root(std::uint64_t size) const;
  Hash root() const { return root(size()); }

  // PATH(index, D[size]) and PROOF(old_size, D[size]) of RFC 9162 §2.1.3 and §2.1.4 over the
  // first `size` leaves. Throw std::out_of_range when index >= size, old_size > size or
  // size > this->size().
  std::vector<Hash> inclusionProof(std::uint64_t index, std::uint64_t size) const;
  std::vector<Hash> consistencyProof(std::uint64_t old_size, std::uint64_t size) const;

 private:
  // The hash of the complete subtree of 2^level leaves from leaf position·2^level.
  auto nodes() const {
    return [this](unsigned level, std::uint64_t position) { return levels_[level][position]; };
  }

  // levels_[l][i] = MTH of the complete subtree of 2^l leaves that starts at leaf i·2^l.
  std::vector<std::vector<Hash>> levels_;
};

}  // namespace passerelle::crypto
