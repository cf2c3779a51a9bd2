#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/partner_kind.hpp"

namespace passerelle::policies {

using core::PartnerKind;

// One partner system as declared in the partner registry. Immutable value.
struct Partner {
  core::PartnerId id;
  std::string name;
  PartnerKind kind;
  std::string siret;                            // 14 digits
  std::vector<std::string> certificate_sha256;  // client certificate fingerprints, lowercase hex
  std::vector<std::string> token_sha256;        // SHA-256 of bearer tokens, lowercase hex
  std::string dpa_reference;                    // GDPR art. 28 data-processing agreement
};

}  // namespace passerelle::policies
