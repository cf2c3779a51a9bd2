#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/tiled_merkle_tree.hpp"

namespace passerelle::store {

// A full tile as stored (both backends): its 256 hashes end to end, 8 KiB.
inline std::vector<unsigned char> bytesOfTile(const crypto::Tile& tile) {
  std::vector<unsigned char> bytes;
  bytes.reserve(tile.hashes.size() * sizeof(crypto::Hash));
  for (const auto& h : tile.hashes) bytes.insert(bytes.end(), h.begin(), h.end());
  return bytes;
}

// The hashes of tile `id` read back; DomainError(integrity) naming it if it is missing (empty)
// or not whole.
inline std::vector<crypto::Hash> hashesOfTile(crypto::TileId id,
                                              const std::vector<unsigned char>& bytes) {
  if (bytes.size() != crypto::TiledMerkleTree::kTileWidth * sizeof(crypto::Hash))
    throw core::DomainError(core::ErrorKind::integrity,
                            "the audit log lacks its tile " + std::to_string(id.level) + "/" +
                                std::to_string(id.index) + "; run `passerelle audit verify`");
  std::vector<crypto::Hash> hashes(crypto::TiledMerkleTree::kTileWidth);
  for (std::size_t i = 0; i < hashes.size(); ++i)
    std::copy_n(bytes.begin() + static_cast<std::ptrdiff_t>(i * sizeof(crypto::Hash)),
                sizeof(crypto::Hash), hashes[i].begin());
  return hashes;
}

}  // namespace passerelle::store
