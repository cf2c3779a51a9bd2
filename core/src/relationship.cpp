#include "passerelle/core/relationship.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<RelationshipOrigin, 3> kNames({{
    {RelationshipOrigin::source, "source"},
    {RelationshipOrigin::orientation, "orientation"},
    {RelationshipOrigin::departement, "departement"},
}});
}  // namespace

std::optional<RelationshipOrigin> parseRelationshipOrigin(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(RelationshipOrigin origin) {
  return kNames.name(origin);
}

}  // namespace passerelle::core
