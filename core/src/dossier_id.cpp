#include <Poco/Base32Encoder.h>
#include <Poco/String.h>

#include <sstream>

#include "passerelle/core/ids.hpp"

namespace passerelle::core {

namespace {
constexpr std::size_t kEncodedLength = 26;  // ceil(128 / 5)
}

std::string randomIdText(char prefix, const std::array<std::uint8_t, 16>& bytes) {
  std::ostringstream out;
  {
    Poco::Base32Encoder encoder(out, /*padding=*/false);
    encoder.write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    encoder.close();
  }
  return prefix + Poco::toLower(out.str());
}

bool isRandomIdText(char prefix, std::string_view text) {
  if (text.size() != kEncodedLength + 1 || text[0] != prefix) return false;
  for (char c : text.substr(1)) {
    const bool base32 = (c >= 'a' && c <= 'z') || (c >= '2' && c <= '7');
    if (!base32) return false;
  }
  return true;
}

std::string auditableId(char prefix, std::string_view text) {
  return isRandomIdText(prefix, text) ? std::string(text) : "invalid";
}

DossierId DossierId::fromRandom(const std::array<std::uint8_t, 16>& bytes) {
  return DossierId(randomIdText('d', bytes));
}

std::optional<DossierId> DossierId::parse(std::string_view text) {
  if (!isRandomIdText('d', text)) return std::nullopt;
  return DossierId(std::string(text));
}

}  // namespace passerelle::core
