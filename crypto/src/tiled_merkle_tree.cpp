#include "passerelle/crypto/tiled_merkle_tree.hpp"

#include <stdexcept>

#include "merkle_recursion.hpp"

namespace passerelle::crypto {

namespace {

constexpr unsigned kLevelsPerTile = 8;  // 256 = 2^8 hashes a tile

// MTH of a complete run of 2^k hashes (k <= 8), hashed pairwise level by level.
Hash reduce(std::vector<Hash> hashes) {
  while (hashes.size() > 1) {
    for (std::size_t i = 0; i < hashes.size() / 2; ++i)
      hashes[i] = nodeHash(hashes[2 * i], hashes[2 * i + 1]);
    hashes.resize(hashes.size() / 2);
  }
  return hashes.front();
}

}  // namespace

TiledMerkleTree::TiledMerkleTree(FullTileReader read, std::uint64_t size,
                                 std::vector<Hash> last_leaves)
    : read_(std::move(read)) {
  if (last_leaves.size() != size % kTileWidth)
    throw std::invalid_argument("tiled Merkle tree: the last leaves are not size % 256");
  if (size == 0) return;
  // Each level's count follows from the size; its edge from the full tiles one level down.
  for (std::uint64_t n = size; n > 0; n >>= kLevelsPerTile) counts_.push_back(n);
  edge_.resize(counts_.size());
  edge_[0] = std::move(last_leaves);
  for (std::size_t level = 1; level < counts_.size(); ++level) {
    const std::uint64_t first = counts_[level] - counts_[level] % kTileWidth;
    for (std::uint64_t p = first; p < counts_[level]; ++p)
      edge_[level].push_back(reduce(read_(TileId{static_cast<std::uint8_t>(level - 1), p})));
  }
}

void TiledMerkleTree::push(std::size_t level, const Hash& hash) {
  if (level == counts_.size()) {
    counts_.push_back(0);
    edge_.emplace_back();
  }
  edge_[level].push_back(hash);
  ++counts_[level];
  if (edge_[level].size() < kTileWidth) return;
  // A full tile: written once, and its root is the next hash a level up.
  Tile tile{TileId{static_cast<std::uint8_t>(level), counts_[level] / kTileWidth - 1},
            std::move(edge_[level])};
  edge_[level].clear();
  const Hash up = reduce(tile.hashes);
  filled_.push_back(std::move(tile));
  push(level + 1, up);
}

void TiledMerkleTree::append(const Hash& leaf) {
  push(0, leaf);
}

TiledMerkleTree::Mark TiledMerkleTree::mark() const {
  return Mark{counts_, edge_, filled_.size()};
}

std::vector<Tile> TiledMerkleTree::tilesSince(const Mark& mark) const {
  return std::vector<Tile>(filled_.begin() + static_cast<std::ptrdiff_t>(mark.filled),
                           filled_.end());
}

void TiledMerkleTree::settle() {
  filled_.clear();
}

void TiledMerkleTree::restore(const Mark& mark) {
  counts_ = mark.counts;
  edge_ = mark.edge;
  filled_.resize(std::min(filled_.size(), mark.filled));
}

const std::vector<Hash>& TiledMerkleTree::tileHashes(TileId id) const {
  const std::size_t level = id.level;
  if (level < counts_.size() && id.index == counts_[level] / kTileWidth) return edge_[level];
  for (const auto& tile : filled_)
    if (tile.id == id) return tile.hashes;
  if (const auto it = cache_.find(id); it != cache_.end()) return it->second;
  auto hashes = read_(id);
  if (hashes.size() != kTileWidth)
    throw std::runtime_error("tiled Merkle tree: a full tile read back without 256 hashes");
  if (cache_.size() >= kCachedTiles) {
    cache_.erase(cache_order_.front());
    cache_order_.pop_front();
  }
  cache_order_.push_back(id);
  return cache_.emplace(id, std::move(hashes)).first->second;
}

Hash TiledMerkleTree::node(unsigned level, std::uint64_t position) const {
  // Level l of the tree is the tile level l / 8, reduced by l % 8 levels within one tile.
  const unsigned tile_level = level / kLevelsPerTile;
  const unsigned within = level % kLevelsPerTile;
  const std::uint64_t first = position << within;  // at the tile level's own level
  const std::lock_guard lock(cache_mutex_);
  const auto& hashes =
      tileHashes(TileId{static_cast<std::uint8_t>(tile_level), first / kTileWidth});
  const std::size_t offset = first % kTileWidth;
  const std::size_t count = std::size_t{1} << within;
  if (offset + count > hashes.size()) throw std::out_of_range("Merkle tree: node beyond the tree");
  if (count == 1) return hashes[offset];
  return reduce(std::vector<Hash>(hashes.begin() + static_cast<std::ptrdiff_t>(offset),
                                  hashes.begin() + static_cast<std::ptrdiff_t>(offset + count)));
}

Hash TiledMerkleTree::root(std::uint64_t size) const {
  return detail::rootOf(nodes(), this->size(), size);
}

std::vector<Hash> TiledMerkleTree::inclusionProof(std::uint64_t index, std::uint64_t size) const {
  return detail::inclusionProofOf(nodes(), this->size(), index, size);
}

std::vector<Hash> TiledMerkleTree::consistencyProof(std::uint64_t old_size,
                                                    std::uint64_t size) const {
  return detail::consistencyProofOf(nodes(), this->size(), old_size, size);
}

}  // namespace passerelle::crypto
