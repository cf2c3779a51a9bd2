#pragma once

#include <string>
#include <string_view>

#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::crypto {

// Ed25519 signatures: the gateway signs what it hands out (consent receipts, later audit
// checkpoints and export manifests) so that anyone holding its public key can check them.
// The key pair is derived from a 32-byte seed. Safe to share across threads.
class Signer {
 public:
  explicit Signer(const SecretKey& seed);
  ~Signer();
  Signer(const Signer&) = delete;
  Signer& operator=(const Signer&) = delete;

  // Lowercase hex of the 64-byte detached signature of `message`.
  std::string signHex(std::string_view message) const;
  // Lowercase hex of the 32-byte public key.
  const std::string& publicKeyHex() const { return public_key_hex_; }

 private:
  unsigned char* secret_;  // libsodium guarded memory, 64 bytes
  std::string public_key_hex_;
};

// Whether `signature_hex` is a valid Ed25519 signature of `message` by `public_key_hex`.
// False for malformed hex as well.
bool verifySignature(std::string_view message, std::string_view signature_hex,
                     std::string_view public_key_hex);

}  // namespace passerelle::crypto
