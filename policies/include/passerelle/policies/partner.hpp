#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "passerelle/core/ids.hpp"

namespace passerelle::policies {

// The kind of organisation a partner is; sharing policies are written per kind (DESIGN §4).
enum class PartnerKind {
  departement,
  caf,
  msa,
  france_travail,
  structure_referente,
  evaluateur,
  dpo,
};

std::optional<PartnerKind> parsePartnerKind(std::string_view name);
std::string_view toString(PartnerKind kind);

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
