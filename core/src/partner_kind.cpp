#include "passerelle/core/partner_kind.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<PartnerKind, 7> kNames({{
    {PartnerKind::departement, "departement"},
    {PartnerKind::caf, "caf"},
    {PartnerKind::msa, "msa"},
    {PartnerKind::france_travail, "france_travail"},
    {PartnerKind::structure_referente, "structure_referente"},
    {PartnerKind::evaluateur, "evaluateur"},
    {PartnerKind::dpo, "dpo"},
}});
}  // namespace

std::optional<PartnerKind> parsePartnerKind(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(PartnerKind kind) {
  return kNames.name(kind);
}
const std::vector<PartnerKind>& allPartnerKinds() {
  static const std::vector<PartnerKind> all = kNames.values();
  return all;
}

}  // namespace passerelle::core
