#include "passerelle/crypto/signer.hpp"

#include <sodium.h>

#include <array>
#include <new>

#include "passerelle/crypto/bytes.hpp"
#include "sodium.hpp"

namespace passerelle::crypto {

static_assert(crypto_sign_SEEDBYTES == SecretKey::kSize);

Signer::Signer(const SecretKey& seed) {
  detail::ensureSodium();
  secret_ = static_cast<unsigned char*>(sodium_malloc(crypto_sign_SECRETKEYBYTES));
  if (secret_ == nullptr) throw std::bad_alloc();
  std::array<unsigned char, crypto_sign_PUBLICKEYBYTES> pk{};
  crypto_sign_seed_keypair(pk.data(), secret_, seed.data());
  public_key_hex_ = toHex(std::string_view(reinterpret_cast<const char*>(pk.data()), pk.size()));
}

Signer::~Signer() {
  sodium_free(secret_);
}

std::string Signer::signHex(std::string_view message) const {
  std::array<unsigned char, crypto_sign_BYTES> sig{};
  crypto_sign_detached(sig.data(), nullptr, reinterpret_cast<const unsigned char*>(message.data()),
                       message.size(), secret_);
  return toHex(std::string_view(reinterpret_cast<const char*>(sig.data()), sig.size()));
}

bool verifySignature(std::string_view message, std::string_view signature_hex,
                     std::string_view public_key_hex) {
  detail::ensureSodium();
  const auto sig = fromHex(signature_hex);
  const auto pk = fromHex(public_key_hex);
  if (!sig || !pk || sig->size() != crypto_sign_BYTES || pk->size() != crypto_sign_PUBLICKEYBYTES)
    return false;
  return crypto_sign_verify_detached(sig->data(),
                                     reinterpret_cast<const unsigned char*>(message.data()),
                                     message.size(), pk->data()) == 0;
}

}  // namespace passerelle::crypto
