#include "passerelle/crypto/study_pseudonyms.hpp"

#include <sodium.h>

namespace passerelle::crypto {

namespace {

SecretKey studyKey(const RootKey& root, std::string_view study_id) {
  auto digest = KeyedHash(root.derive(KeyUse::export_pseudonym))
                    .digest("passerelle/study/v1|" + std::string(study_id));
  auto key = SecretKey::fromBytes(digest.data());
  sodium_memzero(digest.data(), digest.size());
  return key;
}

}  // namespace

StudyPseudonyms::StudyPseudonyms(const RootKey& root, std::string_view study_id)
    : study_key_(studyKey(root, study_id)) {}

std::string StudyPseudonyms::of(std::string_view dossier_id) const {
  return base32(study_key_.digest(dossier_id));
}

// Twelve lines: not worth a dependency of the crypto module on Poco's stream encoder.
std::string base32(std::span<const std::uint8_t> data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const auto byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out.push_back(kAlphabet[(buffer >> (bits - 5)) & 31]);
      bits -= 5;
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(buffer << (5 - bits)) & 31]);
  return out;
}

}  // namespace passerelle::crypto
