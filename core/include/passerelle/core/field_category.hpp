#pragma once

#include <optional>
#include <string_view>

namespace passerelle::core {

// GDPR category of a dossier field (DESIGN §3): what policies, consents and exports reason on.
enum class FieldCategory { identifiant_direct, quasi_identifiant, sensible, ordinaire };

std::optional<FieldCategory> parseFieldCategory(std::string_view name);
std::string_view toString(FieldCategory category);

}  // namespace passerelle::core
