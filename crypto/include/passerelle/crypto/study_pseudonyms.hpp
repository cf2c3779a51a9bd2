#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "passerelle/crypto/keyed_hash.hpp"
#include "passerelle/crypto/root_key.hpp"

namespace passerelle::crypto {

// A person's pseudonym in the exports of one study: base32(HMAC-SHA256(k_study, dossier id)),
// where k_study = HMAC-SHA256(export subkey of the root key, study id). Stable across the
// exports of a study (they can be joined), unlinkable across studies, and nobody without the
// root key can test a guess. Safe to share across threads.
class StudyPseudonyms {
 public:
  StudyPseudonyms(const RootKey& root, std::string_view study_id);
  std::string of(std::string_view dossier_id) const;

 private:
  KeyedHash study_key_;
};

// RFC 4648 base32, upper case, without padding.
std::string base32(std::span<const std::uint8_t> data);

}  // namespace passerelle::crypto
