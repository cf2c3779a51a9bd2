#include "passerelle/core/consent.hpp"

#include "passerelle/core/enum_names.hpp"

namespace passerelle::core {

namespace {
constexpr EnumNames<ConsentMethod, 3> kNames({{
    {ConsentMethod::ecrit, "ecrit"},
    {ConsentMethod::oral, "oral"},
    {ConsentMethod::numerique, "numerique"},
}});
}  // namespace

std::optional<ConsentMethod> parseConsentMethod(std::string_view name) {
  return kNames.parse(name);
}
std::string_view toString(ConsentMethod method) {
  return kNames.name(method);
}

}  // namespace passerelle::core
