#pragma once

#include <optional>
#include <ostream>

#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {

// Writes, in French, who may read and write which fields, for which purpose, on which legal
// basis and whether the person's consent is needed: the record of processing activities (GDPR
// art. 30) derived from the policy. Optional filters restrict it to one kind or one purpose.
void explainPolicy(std::ostream& out, const PolicySet& policy,
                   const schemas::FieldCatalogue& catalogue,
                   std::optional<core::PartnerKind> kind = std::nullopt,
                   std::optional<core::Purpose> purpose = std::nullopt);

}  // namespace passerelle::policies
