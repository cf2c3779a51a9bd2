#include "passerelle/core/identifier.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<IdentifierKind, 4> kNames({{
    {IdentifierKind::nir, "nir"},
    {IdentifierKind::caf, "caf"},
    {IdentifierKind::france_travail, "france_travail"},
    {IdentifierKind::departement, "departement"},
}});
}  // namespace

std::optional<IdentifierKind> parseIdentifierKind(std::string_view name) {
  return kNames.parse(name);
}
bool isHouseholdIdentifier(IdentifierKind kind) {
  return kind == IdentifierKind::caf;
}
std::string_view toString(IdentifierKind kind) {
  return kNames.name(kind);
}
const std::vector<IdentifierKind>& allIdentifierKinds() {
  static const std::vector<IdentifierKind> all = kNames.values();
  return all;
}

}  // namespace passerelle::core
