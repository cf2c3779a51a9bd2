#include "passerelle/audit/person_pseudonyms.hpp"

namespace passerelle::audit {

PersonPseudonyms::PersonPseudonyms(const crypto::RootKey& root)
    : hash_(root.derive(crypto::KeyUse::audit_pseudonym)) {}

std::string PersonPseudonyms::of(const core::DossierId& id) const {
  std::string input = "audit-person:";
  input += id.str();
  std::string pseudonym = "p";
  pseudonym += hash_.hex(input).substr(0, 32);
  return pseudonym;
}

}  // namespace passerelle::audit
