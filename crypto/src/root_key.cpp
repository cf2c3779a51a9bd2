#include "passerelle/crypto/root_key.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

namespace passerelle::crypto {

namespace {

static_assert(crypto_kdf_KEYBYTES == SecretKey::kSize);

// KDF contexts are exactly crypto_kdf_CONTEXTBYTES (8) characters.
const char* contextOf(KeyUse use) {
  switch (use) {
    case KeyUse::blind_index:
      return "PDblindx";
    case KeyUse::section_data:
      return "PDsectn_";
    case KeyUse::content_hash:
      return "PDchash_";
    case KeyUse::signing:
      return "PDsign__";
    case KeyUse::audit_pseudonym:
      return "PDauditp";
    case KeyUse::data_key_wrap:
      return "PDwrapdk";
    case KeyUse::export_pseudonym:
      return "PDexport";
  }
  throw std::logic_error("unknown key use");
}

}  // namespace

SecretKey deriveSubkey(const SecretKey& parent, KeyUse use, std::uint64_t version) {
  std::array<std::uint8_t, SecretKey::kSize> sub{};
  crypto_kdf_derive_from_key(sub.data(), sub.size(), version, contextOf(use), parent.data());
  auto key = SecretKey::fromBytes(sub.data());
  sodium_memzero(sub.data(), sub.size());
  return key;
}

RootKey RootKey::generate() {
  return RootKey(SecretKey::random());
}

}  // namespace passerelle::crypto
