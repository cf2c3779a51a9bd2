#include "passerelle/crypto/keyed_hash.hpp"

#include <sodium.h>

#include <array>

#include "passerelle/crypto/bytes.hpp"

namespace passerelle::crypto {

static_assert(crypto_auth_hmacsha256_KEYBYTES == SecretKey::kSize);

std::array<std::uint8_t, 32> KeyedHash::digest(std::string_view data) const {
  static_assert(crypto_auth_hmacsha256_BYTES == 32);
  std::array<std::uint8_t, 32> mac{};
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(data.data()),
                         data.size(), key_.data());
  return mac;
}

std::string KeyedHash::hex(std::string_view data) const {
  const auto mac = digest(data);
  return toHex(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

}  // namespace passerelle::crypto
