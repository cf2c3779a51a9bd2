#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::crypto {

using Bytes = std::vector<std::uint8_t>;

// Lowercase hexadecimal of `data`.
std::string toHex(std::string_view data);
std::string toHex(const Bytes& data);

// Decodes hexadecimal (either case); nothing if `hex` is not exactly an even run of hex digits.
std::optional<Bytes> fromHex(std::string_view hex);

// `n` bytes from the operating system's CSPRNG.
Bytes randomBytes(std::size_t n);

}  // namespace passerelle::crypto
