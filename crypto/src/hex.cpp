#include <sodium.h>

#include "passerelle/crypto/bytes.hpp"
#include "sodium.hpp"

namespace passerelle::crypto {

std::string toHex(std::string_view data) {
  std::string out(data.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                 data.size());
  out.pop_back();
  return out;
}

std::string toHex(const Bytes& data) {
  return toHex(std::string_view(reinterpret_cast<const char*>(data.data()), data.size()));
}

std::optional<Bytes> fromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  Bytes out(hex.size() / 2);
  std::size_t written = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(out.data(), out.size(), hex.data(), hex.size(), nullptr, &written, &end) !=
          0 ||
      written != out.size() || end != hex.data() + hex.size())
    return std::nullopt;
  return out;
}

Bytes randomBytes(std::size_t n) {
  detail::ensureSodium();
  Bytes out(n);
  randombytes_buf(out.data(), n);
  return out;
}

}  // namespace passerelle::crypto
