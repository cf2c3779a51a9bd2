#include "passerelle/crypto/digest.hpp"

#include <sodium.h>

#include <array>

#include "passerelle/crypto/bytes.hpp"

namespace passerelle::crypto {

std::string sha256Hex(std::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return toHex(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

}  // namespace passerelle::crypto
