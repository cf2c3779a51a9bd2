#pragma once

#include <string>
#include <string_view>

namespace passerelle::crypto {

// Lowercase hex of SHA-256(data): for values that are already high-entropy (bearer tokens),
// never for personal data, which needs a KeyedHash.
std::string sha256Hex(std::string_view data);

}  // namespace passerelle::crypto
