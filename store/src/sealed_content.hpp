#pragma once

#include <string>

#include "passerelle/core/identifier.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/crypto/aead.hpp"
#include "passerelle/crypto/keyed_hash.hpp"
#include "passerelle/crypto/master_key.hpp"

namespace passerelle::store {

// What the store does to personal data before it touches the disk: section contents sealed
// with AEAD bound to their place, identifiers reduced to blind indexes, contents fingerprinted
// with a keyed hash. Safe to share across threads.
class SealedContent {
 public:
  explicit SealedContent(const crypto::MasterKey& master);

  crypto::Bytes seal(const core::DossierId& id, core::Section section, std::int64_t version,
                     const std::string& content) const;
  // Throws core::DomainError(integrity) if the ciphertext is not the one sealed for that place.
  std::string open(const core::DossierId& id, core::Section section, std::int64_t version,
                   const crypto::Bytes& sealed) const;

  std::string contentHash(const std::string& content) const;
  std::string blindIndex(const core::Identifier& identifier) const;

 private:
  crypto::Aead sections_;
  crypto::KeyedHash content_hash_;
  crypto::KeyedHash blind_index_;
};

}  // namespace passerelle::store
