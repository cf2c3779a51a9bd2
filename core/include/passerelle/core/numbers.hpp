#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <string_view>

namespace passerelle::core {

// A whole number written in decimal digits only (no sign, no space, no '+'), as query
// parameters, headers, key files and partner files write them: its value, or nothing if the
// text is not one or is above `max`. Never throws.
std::optional<std::uint64_t> parseWholeNumber(
    std::string_view text, std::uint64_t max = std::numeric_limits<std::uint64_t>::max());

}  // namespace passerelle::core
