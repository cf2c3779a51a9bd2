// The tiled Merkle tree (C2SP tlog-tiles) answers as the in-memory tree, itself checked against
// RFC 9162's definitions (merkle_test.cpp), across tile boundaries at levels 0, 1 and 2; it
// reopens from its full tiles and last leaves alone, and forgets a batch whose transaction
// failed.
#include "passerelle/crypto/tiled_merkle_tree.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "passerelle/crypto/merkle_tree.hpp"

namespace passerelle::crypto {
namespace {

// The store's side: full tiles, written once, counted when read.
struct TileMap {
  std::map<TileId, std::vector<Hash>> tiles;
  mutable std::size_t reads = 0;
  TiledMerkleTree::FullTileReader reader() {
    return [this](TileId id) {
      ++reads;
      return tiles.at(id);
    };
  }
  void store(const std::vector<Tile>& filled) {
    for (const auto& t : filled) {
      ASSERT_EQ(t.hashes.size(), TiledMerkleTree::kTileWidth);
      ASSERT_TRUE(tiles.emplace(t.id, t.hashes).second) << "a full tile written twice";
    }
  }
};

Hash leafNumber(std::uint64_t i) {
  return leafHash("entry " + std::to_string(i));
}

// Appends leaves [from, to) in one batch, stored as the audit log does.
void grow(TiledMerkleTree& tree, TileMap& map, std::uint64_t from, std::uint64_t to) {
  const auto mark = tree.mark();
  for (std::uint64_t i = from; i < to; ++i) tree.append(leafNumber(i));
  map.store(tree.tilesSince(mark));
  tree.settle();
}

constexpr std::uint64_t kSize = 65536 + 700;  // past the first full tile of level 2

class TiledMerkleTreeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    reference_ = new MerkleTree;
    for (std::uint64_t i = 0; i < kSize; ++i) reference_->append(leafNumber(i));
  }
  static void TearDownTestSuite() { delete reference_; }
  static MerkleTree* reference_;
};
MerkleTree* TiledMerkleTreeTest::reference_ = nullptr;

const std::vector<std::uint64_t> kBoundaries = {1,   2,    255,   256,   257,   511,  512,
                                                513, 4096, 65535, 65536, 65537, kSize};

TEST_F(TiledMerkleTreeTest, AnswersAsTheInMemoryTreeAcrossTileBoundaries) {
  TileMap map;
  TiledMerkleTree tree(map.reader());
  // Batches of uneven sizes, as group commits are.
  std::uint64_t n = 0;
  for (std::uint64_t step = 1; n < kSize; step = step * 3 % 1001 + 1) {
    const auto to = std::min(kSize, n + step);
    grow(tree, map, n, to);
    n = to;
  }
  ASSERT_EQ(tree.size(), kSize);
  EXPECT_EQ(map.tiles.size(), kSize / 256 + 1);  // 258 of level 0, 1 of level 1
  for (const auto size : kBoundaries) {
    ASSERT_EQ(tree.root(size), reference_->root(size)) << size;
    for (const auto index : {std::uint64_t{0}, size / 2, size - 1}) {
      const auto proof = tree.inclusionProof(index, size);
      ASSERT_EQ(proof, reference_->inclusionProof(index, size)) << index << " in " << size;
      EXPECT_TRUE(verifyInclusion(tree.leaf(index), index, size, proof, tree.root(size)));
    }
    for (const auto old_size : kBoundaries) {
      if (old_size > size) continue;
      const auto proof = tree.consistencyProof(old_size, size);
      ASSERT_EQ(proof, reference_->consistencyProof(old_size, size)) << old_size << " " << size;
      EXPECT_TRUE(verifyConsistency(old_size, size, tree.root(old_size), tree.root(size), proof));
    }
  }
  EXPECT_THROW(tree.root(kSize + 1), std::out_of_range);
  EXPECT_THROW(tree.inclusionProof(kSize, kSize), std::out_of_range);
  EXPECT_THROW(tree.consistencyProof(10, 9), std::out_of_range);
}

TEST_F(TiledMerkleTreeTest, ReopensFromItsFullTilesAndLastLeavesAlone) {
  TileMap map;
  TiledMerkleTree tree(map.reader());
  grow(tree, map, 0, kSize);
  for (const auto size : kBoundaries) {
    std::vector<Hash> last;
    for (auto i = size - size % 256; i < size; ++i) last.push_back(leafNumber(i));
    map.reads = 0;
    TiledMerkleTree reopened(map.reader(), size, last);
    // The edge of levels 1 and 2: at most 255 full tiles each, whatever the size.
    EXPECT_LE(map.reads, 2 * 255u) << size;
    ASSERT_EQ(reopened.size(), size);
    ASSERT_EQ(reopened.root(), reference_->root(size)) << size;
    // It grows on as the original did, writing exactly the tiles the original wrote.
    const auto mark = reopened.mark();
    for (auto i = size; i < std::min(kSize, size + 300); ++i) reopened.append(leafNumber(i));
    for (const auto& t : reopened.tilesSince(mark)) EXPECT_EQ(map.tiles.at(t.id), t.hashes);
    EXPECT_EQ(reopened.root(), reference_->root(reopened.size())) << size;
  }
  EXPECT_THROW(TiledMerkleTree(map.reader(), 300, {}), std::invalid_argument);
}

TEST_F(TiledMerkleTreeTest, RootsOfTheCurrentSizeReadNoStoredTile) {
  // The verifier and the appender only ask the current size: the edge answers it.
  TileMap map;
  TiledMerkleTree tree(map.reader());
  for (std::uint64_t n = 0; n < kSize; n += 997) {
    grow(tree, map, n, std::min(kSize, n + 997));
    map.reads = 0;
    ASSERT_EQ(tree.root(), reference_->root(tree.size()));
    ASSERT_EQ(map.reads, 0u) << tree.size();
  }
}

TEST_F(TiledMerkleTreeTest, RestoringForgetsABatchWhoseTransactionFailed) {
  TileMap map;
  TiledMerkleTree tree(map.reader());
  grow(tree, map, 0, 1000);
  const auto before = tree.root();
  const auto mark = tree.mark();
  for (std::uint64_t i = 0; i < 600; ++i)
    tree.append(leafHash("never stored " + std::to_string(i)));
  EXPECT_EQ(tree.tilesSince(mark).size(), 3u);  // tiles 3, 4 and 5 of level 0 filled meanwhile
  tree.restore(mark);
  EXPECT_EQ(tree.size(), 1000u);
  EXPECT_EQ(tree.root(), before);
  EXPECT_TRUE(tree.tilesSince(mark).empty());
  grow(tree, map, 1000, 4000);
  EXPECT_EQ(tree.root(), reference_->root(4000));
  EXPECT_EQ(tree.inclusionProof(1100, 4000), reference_->inclusionProof(1100, 4000));
}

TEST_F(TiledMerkleTreeTest, ATileReadBackShortIsRefused) {
  TileMap map;
  TiledMerkleTree tree(map.reader());
  grow(tree, map, 0, 600);
  map.tiles.at(TileId{0, 1}).pop_back();
  // Leaf 300's path needs nodes inside tile 1 of level 0, which the store now returns short.
  EXPECT_THROW(tree.inclusionProof(300, 600), std::runtime_error);
}

}  // namespace
}  // namespace passerelle::crypto
