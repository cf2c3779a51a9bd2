#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace passerelle::core {

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
const std::vector<PartnerKind>& allPartnerKinds();

}  // namespace passerelle::core
