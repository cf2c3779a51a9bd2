#include "passerelle/core/section.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<Section, 12> kNames({{
    {Section::identite, "identite"},
    {Section::identifiants, "identifiants"},
    {Section::contact, "contact"},
    {Section::foyer, "foyer"},
    {Section::droits, "droits"},
    {Section::situation_pro, "situation_pro"},
    {Section::diagnostic, "diagnostic"},
    {Section::orientation, "orientation"},
    {Section::contrat, "contrat"},
    {Section::parcours, "parcours"},
    {Section::sortie, "sortie"},
    {Section::sante, "sante"},
}});
}  // namespace

std::optional<Section> parseSection(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(Section section) {
  return kNames.name(section);
}
std::string pointerOf(Section section) {
  // Appended piece by piece: GCC 12 raises a false -Wrestrict on "/" + std::string(...).
  std::string pointer = "/";
  pointer += toString(section);
  return pointer;
}
const std::vector<Section>& allSections() {
  static const std::vector<Section> all = kNames.values();
  return all;
}

}  // namespace passerelle::core
