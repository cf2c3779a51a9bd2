#include "passerelle/crypto/merkle_tree.hpp"

#include <bit>
#include <stdexcept>

namespace passerelle::crypto {

namespace {

// The largest power of two strictly smaller than n (n >= 2): where RFC 9162 splits a tree.
std::uint64_t split(std::uint64_t n) {
  return std::bit_floor(n - 1);
}

}  // namespace

void MerkleTree::append(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  // Each time a level gets an even count, its last two hashes complete a subtree one level up.
  for (std::size_t l = 0; levels_[l].size() % 2 == 0; ++l) {
    if (l + 1 == levels_.size()) levels_.emplace_back();
    const auto& level = levels_[l];
    levels_[l + 1].push_back(nodeHash(level[level.size() - 2], level.back()));
  }
}

void MerkleTree::truncate(std::uint64_t size) {
  if (size >= this->size()) return;
  for (std::size_t l = 0; l < levels_.size(); ++l) levels_[l].resize(size >> l);
  while (!levels_.empty() && levels_.back().empty() && levels_.size() > 1) levels_.pop_back();
}

void MerkleTree::requireSize(std::uint64_t size) const {
  if (size > this->size()) throw std::out_of_range("Merkle tree: size beyond the tree");
}

Hash MerkleTree::subtree(std::uint64_t start, std::uint64_t count) const {
  if (count == 1) return levels_[0][start];
  if (std::has_single_bit(count) && start % count == 0) {
    const auto level = static_cast<std::size_t>(std::countr_zero(count));
    return levels_[level][start / count];
  }
  const auto k = split(count);
  return nodeHash(subtree(start, k), subtree(start + k, count - k));
}

Hash MerkleTree::root(std::uint64_t size) const {
  requireSize(size);
  if (size == 0) return rootHash({});
  return subtree(0, size);
}

void MerkleTree::path(std::uint64_t m, std::uint64_t start, std::uint64_t n,
                      std::vector<Hash>& out) const {
  if (n <= 1) return;
  const auto k = split(n);
  if (m < k) {
    path(m, start, k, out);
    out.push_back(subtree(start + k, n - k));
  } else {
    path(m - k, start + k, n - k, out);
    out.push_back(subtree(start, k));
  }
}

void MerkleTree::subproof(std::uint64_t m, std::uint64_t start, std::uint64_t n, bool complete,
                          std::vector<Hash>& out) const {
  if (m == n) {
    if (!complete) out.push_back(subtree(start, n));
    return;
  }
  const auto k = split(n);
  if (m <= k) {
    subproof(m, start, k, complete, out);
    out.push_back(subtree(start + k, n - k));
  } else {
    subproof(m - k, start + k, n - k, false, out);
    out.push_back(subtree(start, k));
  }
}

std::vector<Hash> MerkleTree::inclusionProof(std::uint64_t index, std::uint64_t size) const {
  requireSize(size);
  if (index >= size) throw std::out_of_range("inclusion proof: index beyond the tree");
  std::vector<Hash> out;
  path(index, 0, size, out);
  return out;
}

std::vector<Hash> MerkleTree::consistencyProof(std::uint64_t old_size, std::uint64_t size) const {
  requireSize(size);
  if (old_size > size) throw std::out_of_range("consistency proof: old size beyond the tree");
  std::vector<Hash> out;
  if (old_size == 0 || old_size == size) return out;
  subproof(old_size, 0, size, true, out);
  return out;
}

}  // namespace passerelle::crypto
