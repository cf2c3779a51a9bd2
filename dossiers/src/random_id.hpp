#pragma once

#include <algorithm>
#include <array>
#include <string>

#include "passerelle/core/ids.hpp"
#include "passerelle/crypto/bytes.hpp"

namespace passerelle::dossiers {

// 16 bytes from the CSPRNG: the randomness of every identifier the gateway hands out.
inline std::array<std::uint8_t, 16> randomBytes16() {
  const auto random = crypto::randomBytes(16);
  std::array<std::uint8_t, 16> bytes{};
  std::copy(random.begin(), random.end(), bytes.begin());
  return bytes;
}

// A fresh random identifier with the given prefix ("c…" consents, "r…" relationships).
inline std::string randomId(char prefix) {
  return core::randomIdText(prefix, randomBytes16());
}

}  // namespace passerelle::dossiers
