#include "sealed_content.hpp"

namespace passerelle::store {

namespace {
// Format version first, so that the binding can evolve (key versions arrive with rotation).
std::string associatedData(const core::DossierId& id, core::Section section, std::int64_t version) {
  return "passerelle/section/v1|" + id.str() + "|" + std::string(core::toString(section)) + "|" +
         std::to_string(version);
}
}  // namespace

SealedContent::SealedContent(const crypto::MasterKey& master)
    : sections_(master.derive(crypto::KeyUse::section_data)),
      content_hash_(master.derive(crypto::KeyUse::content_hash)),
      blind_index_(master.derive(crypto::KeyUse::blind_index)) {}

crypto::Bytes SealedContent::seal(const core::DossierId& id, core::Section section,
                                  std::int64_t version, const std::string& content) const {
  return sections_.seal(content, associatedData(id, section, version));
}

std::string SealedContent::open(const core::DossierId& id, core::Section section,
                                std::int64_t version, const crypto::Bytes& sealed) const {
  return sections_.open(sealed, associatedData(id, section, version));
}

std::string SealedContent::contentHash(const std::string& content) const {
  return content_hash_.hex(content);
}

std::string SealedContent::blindIndex(const core::Identifier& identifier) const {
  return blind_index_.hex(std::string(core::toString(identifier.kind)) + ":" +
                          identifier.normalised);
}

}  // namespace passerelle::store
