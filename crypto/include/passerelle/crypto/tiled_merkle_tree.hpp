#pragma once

#include <compare>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <vector>

#include "passerelle/crypto/merkle.hpp"

namespace passerelle::crypto {

// Where a tile sits in the C2SP tlog-tiles layout: a tile of `level` L holds 256 consecutive
// hashes of the tree's level 8·L (level 0: leaf hashes), the `index`-th such run.
struct TileId {
  std::uint8_t level = 0;
  std::uint64_t index = 0;
  friend auto operator<=>(const TileId&, const TileId&) = default;
};

// A full tile: 256 hashes, immutable once written.
struct Tile {
  TileId id;
  std::vector<Hash> hashes;
};

// An append-only RFC 9162 Merkle tree kept as tiles (C2SP tlog-tiles): only the right edge (the
// hashes of each level's tile still being filled, fewer than 256 a level) lives in memory; full
// tiles are written once to a store and read back for roots and proofs of older sizes. Memory
// is bounded and opening costs the same whatever the log's size. Threads: the const members may
// run in several threads at once (the tile cache has its own lock); append, mark, settle and
// restore need the tree to themselves (the audit log's reader-writer lock).
class TiledMerkleTree {
 public:
  static constexpr std::size_t kTileWidth = 256;
  // Returns the 256 hashes of a full tile the store holds; throws (the store's error) if it
  // cannot. Called for tiles completed before, never for one of the right edge.
  using FullTileReader = std::function<std::vector<Hash>(TileId)>;

  // The tree of `size` leaves, of which `last_leaves` are the last size % 256 leaf hashes (not
  // yet in a full tile); the other levels' right edge is recomputed from at most 255 full tiles
  // each. Throws std::invalid_argument if last_leaves does not have that count.
  TiledMerkleTree(FullTileReader read, std::uint64_t size = 0, std::vector<Hash> last_leaves = {});

  void append(const Hash& leaf);
  std::uint64_t size() const { return counts_.empty() ? 0 : counts_[0]; }

  // A batch of appends is stored in one transaction with the tiles it filled:
  //   auto m = tree.mark(); ...tree.append(leaf)...; store(rows, tree.tilesSince(m));
  //   then tree.settle() once committed, or tree.restore(m) if the transaction failed.
  // Tiles filled and not settled are read from memory; settled ones from the store.
  struct Mark {
    std::vector<std::uint64_t> counts;
    std::vector<std::vector<Hash>> edge;
    std::size_t filled = 0;
  };
  Mark mark() const;
  std::vector<Tile> tilesSince(const Mark& mark) const;
  void settle();
  void restore(const Mark& mark);

  Hash leaf(std::uint64_t index) const { return node(0, index); }

  // As MerkleTree: MTH of the first `size` leaves, PATH and PROOF of RFC 9162 §2.1.3 and
  // §2.1.4. Throw std::out_of_range past the tree.
  Hash root(std::uint64_t size) const;
  Hash root() const { return root(size()); }
  std::vector<Hash> inclusionProof(std::uint64_t index, std::uint64_t size) const;
  std::vector<Hash> consistencyProof(std::uint64_t old_size, std::uint64_t size) const;

  // How many full tiles are cached for proofs (a bounded number; each 8 KiB).
  static constexpr std::size_t kCachedTiles = 64;

 private:
  // The hash of the complete subtree of 2^level leaves starting at leaf position·2^level.
  Hash node(unsigned level, std::uint64_t position) const;
  // The hashes of tile `id` of the tree's level 8·id.level: from the edge, the tiles filled
  // and not yet taken, the cache, or the store.
  const std::vector<Hash>& tileHashes(TileId id) const;
  auto nodes() const {
    return [this](unsigned level, std::uint64_t position) { return node(level, position); };
  }
  void push(std::size_t level, const Hash& hash);

  FullTileReader read_;
  // counts_[L]: how many hashes the tree's level 8·L has; edge_[L]: the last counts_[L] % 256.
  std::vector<std::uint64_t> counts_;
  std::vector<std::vector<Hash>> edge_;
  std::vector<Tile> filled_;        // full and not settled: the store may not have them yet
  mutable std::mutex cache_mutex_;  // the cache, and node()'s use of what it returns
  mutable std::map<TileId, std::vector<Hash>> cache_;
  mutable std::deque<TileId> cache_order_;
};

}  // namespace passerelle::crypto
