#include "passerelle/crypto/merkle_tree.hpp"

#include <stdexcept>

#include "merkle_recursion.hpp"

namespace passerelle::crypto {

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

Hash MerkleTree::root(std::uint64_t size) const {
  return detail::rootOf(nodes(), this->size(), size);
}

std::vector<Hash> MerkleTree::inclusionProof(std::uint64_t index, std::uint64_t size) const {
  return detail::inclusionProofOf(nodes(), this->size(), index, size);
}

std::vector<Hash> MerkleTree::consistencyProof(std::uint64_t old_size, std::uint64_t size) const {
  return detail::consistencyProofOf(nodes(), this->size(), old_size, size);
}

}  // namespace passerelle::crypto
