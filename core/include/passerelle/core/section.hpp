#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::core {

// One section of a dossier (DESIGN §3). Each is a JSON object with its own schema.
enum class Section {
  identite,
  identifiants,
  contact,
  foyer,
  droits,
  situation_pro,
  diagnostic,
  orientation,
  contrat,
  parcours,
  sortie,
  sante,
};

// Returns the section named exactly `name` (its API name), nothing otherwise.
std::optional<Section> parseSection(std::string_view name);

// The API name of a section ("identite", "situation_pro", ...).
std::string_view toString(Section section);

// The JSON pointer of a section's root in a dossier ("/identite").
std::string pointerOf(Section section);

// Every section, in the order dossiers are presented.
const std::vector<Section>& allSections();

}  // namespace passerelle::core
