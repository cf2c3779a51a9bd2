#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::crypto {

// HMAC-SHA256 under a secret subkey: a blind index for identifiers (equal inputs give equal
// outputs, but nobody without the key can test a guess). Safe to share across threads.
class KeyedHash {
 public:
  explicit KeyedHash(SecretKey key) : key_(std::move(key)) {}

  // Lowercase hex of HMAC-SHA256(key, data).
  std::string hex(std::string_view data) const;
  // HMAC-SHA256(key, data) itself.
  std::array<std::uint8_t, 32> digest(std::string_view data) const;

 private:
  SecretKey key_;
};

}  // namespace passerelle::crypto
