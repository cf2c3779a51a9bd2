#include "passerelle/crypto/keyed_hash.hpp"

#include <sodium.h>

#include <array>

#include "passerelle/crypto/bytes.hpp"

namespace passerelle::crypto {

static_assert(crypto_auth_hmacsha256_KEYBYTES == SecretKey::kSize);

std::string KeyedHash::hex(std::string_view data) const {
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(data.data()),
                         data.size(), key_.data());
  return toHex(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

}  // namespace passerelle::crypto
