#include "passerelle/core/field_category.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<FieldCategory, 4> kNames({{
    {FieldCategory::identifiant_direct, "identifiant_direct"},
    {FieldCategory::quasi_identifiant, "quasi_identifiant"},
    {FieldCategory::sensible, "sensible"},
    {FieldCategory::ordinaire, "ordinaire"},
}});
}  // namespace

std::optional<FieldCategory> parseFieldCategory(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(FieldCategory category) {
  return kNames.name(category);
}

}  // namespace passerelle::core
