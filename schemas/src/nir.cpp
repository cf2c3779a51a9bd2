#include "passerelle/schemas/nir.hpp"

#include <cctype>
#include <cstdint>

namespace passerelle::schemas {

namespace {

// The NIR as a number for the key computation: the département "2A" counts as 19, "2B" as 18.
std::optional<std::uint64_t> numericValue(std::string_view nir) {
  std::string digits(nir);
  if (digits.compare(5, 2, "2A") == 0) digits.replace(5, 2, "19");
  if (digits.compare(5, 2, "2B") == 0) digits.replace(5, 2, "18");
  std::uint64_t value = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return value;
}

}  // namespace

int nirKey(std::string_view thirteen) {
  auto value = numericValue(thirteen);
  return value ? static_cast<int>(97 - (*value % 97)) : -1;
}

NirCheck checkNir(std::string_view written) {
  std::string compact;
  for (char c : written)
    if (c != ' ') compact.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  if (compact.size() != 13 && compact.size() != 15)
    return {false, {}, "a NIR has 13 characters, or 15 with its key"};
  const std::string body = compact.substr(0, 13);
  if (!numericValue(body)) return {false, {}, "a NIR has digits only, but for 2A or 2B (Corsica)"};
  if (compact.size() == 15) {
    const std::string key = compact.substr(13);
    if (!std::isdigit(static_cast<unsigned char>(key[0])) ||
        !std::isdigit(static_cast<unsigned char>(key[1])) || std::stoi(key) != nirKey(body))
      return {false, {}, "the NIR's control key does not match its 13 first characters"};
  }
  return {true, body, {}};
}

}  // namespace passerelle::schemas
