#include "passerelle/core/numbers.hpp"

#include <charconv>

namespace passerelle::core {

std::optional<std::uint64_t> parseWholeNumber(std::string_view text, std::uint64_t max) {
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end || value > max) return std::nullopt;
  return value;
}

}  // namespace passerelle::core
