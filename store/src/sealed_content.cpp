#include "sealed_content.hpp"

#include "passerelle/core/domain_error.hpp"

namespace passerelle::store {

namespace {

// Format version first, so that the binding can evolve.
std::string legacyAssociatedData(const core::DossierId& id, core::Section section,
                                 std::int64_t version) {
  return "passerelle/section/v1|" + id.str() + "|" + std::string(core::toString(section)) + "|" +
         std::to_string(version);
}

std::string associatedData(const core::DossierId& id, core::Section section, std::int64_t version,
                           std::int64_t key_version) {
  return "passerelle/section/v2|" + id.str() + "|" + std::string(core::toString(section)) + "|" +
         std::to_string(version) + "|k" + std::to_string(key_version);
}

}  // namespace

SealedContent::SealedContent(std::shared_ptr<KeyStore> keys)
    : keys_(std::move(keys)),
      legacy_sections_(keys_->root().derive(crypto::KeyUse::section_data)),
      content_hash_(keys_->root().derive(crypto::KeyUse::content_hash)),
      blind_index_(keys_->root().derive(crypto::KeyUse::blind_index)) {}

crypto::Aead SealedContent::newDossierCipher(const core::DossierId& id) {
  return crypto::Aead(keys_->createDataKey(id));
}

std::optional<crypto::Aead> SealedContent::dossierCipher(const core::DossierId& id) const {
  auto key = keys_->findDataKey(id);
  if (!key) return std::nullopt;
  return crypto::Aead(std::move(*key));
}

void SealedContent::shred(const std::vector<core::DossierId>& ids) {
  keys_->destroyDataKeys(ids);
}

crypto::Bytes SealedContent::seal(const crypto::Aead& cipher, const core::DossierId& id,
                                  core::Section section, std::int64_t version,
                                  const std::string& content) const {
  return cipher.seal(content, associatedData(id, section, version, kKeyVersion));
}

std::string SealedContent::open(const crypto::Aead& cipher, const core::DossierId& id,
                                core::Section section, std::int64_t version,
                                std::int64_t key_version, const crypto::Bytes& sealed) const {
  if (key_version != kKeyVersion)
    throw core::DomainError(core::ErrorKind::integrity,
                            "stored section names an unknown data key version");
  return cipher.open(sealed, associatedData(id, section, version, key_version));
}

std::string SealedContent::openLegacy(const core::DossierId& id, core::Section section,
                                      std::int64_t version, const crypto::Bytes& sealed) const {
  return legacy_sections_.open(sealed, legacyAssociatedData(id, section, version));
}

crypto::Bytes SealedContent::sealErasureReason(const core::DossierId& id,
                                               const std::string& reason) const {
  return legacy_sections_.seal(reason, "passerelle/erasure-reason/v1|" + id.str());
}

std::string SealedContent::contentHash(const std::string& content) const {
  return content_hash_.hex(content);
}

std::string SealedContent::blindIndex(const core::Identifier& identifier) const {
  return blind_index_.hex(std::string(core::toString(identifier.kind)) + ":" +
                          identifier.normalised);
}

}  // namespace passerelle::store
