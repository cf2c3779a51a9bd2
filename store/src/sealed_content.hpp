#pragma once

#include <memory>
#include <optional>
#include <string>

#include "passerelle/core/identifier.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/crypto/aead.hpp"
#include "passerelle/crypto/keyed_hash.hpp"
#include "passerelle/store/key_store.hpp"

namespace passerelle::store {

// What the store does to personal data before it touches the disk: section contents sealed
// with the dossier's own data key, bound to their place; identifiers reduced to blind indexes;
// contents fingerprinted with a keyed hash. Safe to share across threads.
class SealedContent {
 public:
  explicit SealedContent(std::shared_ptr<KeyStore> keys);

  // The cipher of a new dossier (its data key is created, durably) or of an existing one
  // (nothing if the dossier has no key: it never existed, or it was erased).
  crypto::Aead newDossierCipher(const core::DossierId& id);
  std::optional<crypto::Aead> dossierCipher(const core::DossierId& id) const;
  // Destroys the dossiers' data keys, in one durable write: every copy of their sections
  // becomes unreadable. core::DomainError(unavailable) if the key file cannot be written.
  void shred(const std::vector<core::DossierId>& ids);

  crypto::Bytes seal(const crypto::Aead& cipher, const core::DossierId& id, core::Section section,
                     std::int64_t version, const std::string& content) const;
  // Throws core::DomainError(integrity) if the ciphertext is not the one sealed for that place
  // with that key.
  std::string open(const crypto::Aead& cipher, const core::DossierId& id, core::Section section,
                   std::int64_t version, std::int64_t key_version,
                   const crypto::Bytes& sealed) const;
  // Sections sealed before per-dossier keys (key_version 0), for their one-time re-sealing.
  std::string openLegacy(const core::DossierId& id, core::Section section, std::int64_t version,
                         const crypto::Bytes& sealed) const;

  // The free-text reason of an erasure (it may name the person: "à la demande de Mme X"),
  // sealed under the gateway's section subkey — the dossier's own key is gone by then.
  crypto::Bytes sealErasureReason(const core::DossierId& id, const std::string& reason) const;

  std::string contentHash(const std::string& content) const;
  std::string blindIndex(const core::Identifier& identifier) const;

  // The version of the data keys (bound into every section's associated data).
  static constexpr std::int64_t kKeyVersion = 1;

 private:
  std::shared_ptr<KeyStore> keys_;
  crypto::Aead legacy_sections_;  // the section_data subkey: old sections, erasure reasons
  crypto::KeyedHash content_hash_;
  crypto::KeyedHash blind_index_;
};

}  // namespace passerelle::store
