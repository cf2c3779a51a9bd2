#include "passerelle/crypto/aead.hpp"

#include <sodium.h>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::crypto {

namespace {
constexpr std::size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTag = crypto_aead_xchacha20poly1305_ietf_ABYTES;
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == SecretKey::kSize);

const unsigned char* u8(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
}  // namespace

Bytes Aead::seal(std::string_view plaintext, std::string_view associated) const {
  Bytes out(kNonce + plaintext.size() + kTag);
  randombytes_buf(out.data(), kNonce);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(out.data() + kNonce, &written, u8(plaintext),
                                             plaintext.size(), u8(associated), associated.size(),
                                             nullptr, out.data(), key_.data());
  out.resize(kNonce + written);
  return out;
}

std::string Aead::open(const Bytes& sealed, std::string_view associated) const {
  if (sealed.size() < kNonce + kTag)
    throw core::DomainError(core::ErrorKind::integrity, "stored ciphertext is truncated");
  std::string plain(sealed.size() - kNonce - kTag, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &written, nullptr, sealed.data() + kNonce,
          sealed.size() - kNonce, u8(associated), associated.size(), sealed.data(),
          key_.data()) != 0)
    throw core::DomainError(core::ErrorKind::integrity,
                            "stored ciphertext failed its integrity check");
  plain.resize(written);
  return plain;
}

}  // namespace passerelle::crypto
