#pragma once

#include <cstddef>
#include <vector>

#include "passerelle/core/field_category.hpp"
#include "passerelle/core/partner_kind.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {

// The parts of a consent that no rule of the policy could rely on. A consent is the evidence
// for the rules that need one, for its grantee's kind and purpose; a part that none of their
// fields falls in is a dead record that tells the person something that is not so.
struct DeadConsentParts {
  bool purpose = false;                 // no rule of the grantee's kind needs consent for it
  std::vector<std::size_t> sections;    // indexes into the consent's sections
  std::vector<std::size_t> categories;  // indexes into the consent's categories

  bool none() const { return !purpose && sections.empty() && categories.empty(); }
};

// Pure; `grantee` is the grantee's kind (a partner grantee's kind from the registry).
DeadConsentParts deadConsentParts(const PolicySet& policy, const schemas::FieldCatalogue& catalogue,
                                  core::PartnerKind grantee, core::Purpose purpose,
                                  const std::vector<core::Section>& sections,
                                  const std::vector<core::FieldCategory>& categories);

}  // namespace passerelle::policies
