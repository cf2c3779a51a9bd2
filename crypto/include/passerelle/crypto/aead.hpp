#pragma once

#include <string>
#include <string_view>

#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::crypto {

// XChaCha20-Poly1305 (IETF) authenticated encryption with a random 192-bit nonce per message.
// The associated data binds a ciphertext to where it belongs (dossier, section, version), so
// that a ciphertext moved elsewhere fails to open. Safe to share across threads.
class Aead {
 public:
  explicit Aead(SecretKey key) : key_(std::move(key)) {}

  // Returns nonce || ciphertext || tag.
  Bytes seal(std::string_view plaintext, std::string_view associated) const;

  // Returns the plaintext; throws core::DomainError(integrity) if the message was altered,
  // truncated, or sealed with other associated data or another key.
  std::string open(const Bytes& sealed, std::string_view associated) const;

 private:
  SecretKey key_;
};

}  // namespace passerelle::crypto
