#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

namespace passerelle::dossiers {

// A name as partners' files can agree on it: upper case, accents and ligatures folded (é -> E,
// œ -> OE), anything but letters and digits dropped ("Saint-Éloi" and "ST ELOI" still differ;
// "Jérôme" and "JEROME" do not).
std::string foldName(std::string_view utf8);

// Whether two identite documents designate the same member of a household: same birth date,
// same first given name and the same birth or usage name, each folded. Used with a household
// identifier (the CAF/MSA matricule), never alone.
bool samePerson(const nlohmann::json& identite, const nlohmann::json& other);

}  // namespace passerelle::dossiers
