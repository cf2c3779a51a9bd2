#pragma once

#include <algorithm>
#include <array>
#include <string>

#include "passerelle/core/ids.hpp"
#include "passerelle/crypto/bytes.hpp"

namespace passerelle::dossiers {

// A fresh random identifier with the given prefix ("c…" consents, "r…" relationships).
inline std::string randomId(char prefix) {
  const auto random = crypto::randomBytes(16);
  std::array<std::uint8_t, 16> bytes{};
  std::copy(random.begin(), random.end(), bytes.begin());
  return core::randomIdText(prefix, bytes);
}

}  // namespace passerelle::dossiers
