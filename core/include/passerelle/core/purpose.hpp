#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::core {

// The closed list of purposes (finalités) a partner may declare in the X-Purpose header.
enum class Purpose {
  instruction_rsa,
  orientation,
  accompagnement,
  suivi_parcours,
  controle,
  evaluation,
  statistique,
};

// Returns the purpose named exactly `name`, nothing for any other text.
std::optional<Purpose> parsePurpose(std::string_view name);

// The wire name of a purpose ("instruction_rsa", ...).
std::string_view toString(Purpose purpose);

// Every purpose, in declaration order.
const std::vector<Purpose>& allPurposes();

}  // namespace passerelle::core
