#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace passerelle::crypto {

// RFC 9162 (Certificate Transparency 2.0) Merkle tree hashing, over SHA-256, for the audit log:
// leaf = SHA-256(0x00 || entry), node = SHA-256(0x01 || left || right), any tree size.
// Pure functions; safe from any thread.
using Hash = std::array<std::uint8_t, 32>;

Hash leafHash(std::string_view entry);
Hash nodeHash(const Hash& left, const Hash& right);

// MTH(D[n]) over the leaf hashes (the empty tree's root is SHA-256 of nothing).
Hash rootHash(std::span<const Hash> leaves);

// PATH(m, D[n]): the inclusion proof of leaf `index` in the tree of all `leaves`. Throws
// std::out_of_range if index >= leaves.size().
std::vector<Hash> inclusionProof(std::span<const Hash> leaves, std::uint64_t index);

// PROOF(m, D[n]): the consistency proof between the tree of the first `old_size` leaves and the
// tree of all `leaves`. Empty when old_size is 0 or equals the size. Throws std::out_of_range if
// old_size > leaves.size().
std::vector<Hash> consistencyProof(std::span<const Hash> leaves, std::uint64_t old_size);

// RFC 9162 §2.1.3.2: whether `proof` shows `leaf` at `index` in a tree of `size` with `root`.
bool verifyInclusion(const Hash& leaf, std::uint64_t index, std::uint64_t size,
                     std::span<const Hash> proof, const Hash& root);

// RFC 9162 §2.1.4.2: whether `proof` shows that the tree of `old_size` with `old_root` is a
// prefix of the tree of `new_size` with `new_root`.
bool verifyConsistency(std::uint64_t old_size, std::uint64_t new_size, const Hash& old_root,
                       const Hash& new_root, std::span<const Hash> proof);

}  // namespace passerelle::crypto
