#include "passerelle/core/purpose.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<Purpose, 7> kNames({{
    {Purpose::instruction_rsa, "instruction_rsa"},
    {Purpose::orientation, "orientation"},
    {Purpose::accompagnement, "accompagnement"},
    {Purpose::suivi_parcours, "suivi_parcours"},
    {Purpose::controle, "controle"},
    {Purpose::evaluation, "evaluation"},
    {Purpose::statistique, "statistique"},
}});
}  // namespace

std::optional<Purpose> parsePurpose(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(Purpose purpose) {
  return kNames.name(purpose);
}
const std::vector<Purpose>& allPurposes() {
  static const std::vector<Purpose> all = kNames.values();
  return all;
}

}  // namespace passerelle::core
