#include "passerelle/audit/person_pseudonyms.hpp"

namespace passerelle::audit {

PersonPseudonyms::PersonPseudonyms(const crypto::RootKey& root)
    : hash_(root.derive(crypto::KeyUse::audit_pseudonym)) {}

std::string PersonPseudonyms::of(const core::DossierId& id) const {
  return "p" + hash_.hex("audit-person:" + id.str()).substr(0, 32);
}

}  // namespace passerelle::audit
