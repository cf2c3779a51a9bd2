#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "passerelle/core/identifier.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::dossiers {

// The identifier kinds a section carries: identite carries the NIR, identifiants the others.
std::vector<core::IdentifierKind> identifierKindsOf(core::Section section);

// Where an identifier of a kind stands in a dossier: its section and key (identite.nir,
// identifiants.caf, identifiants.france_travail, identifiants.departement).
struct IdentifierField {
  core::Section section;
  const char* key;
  std::string pointer() const;  // "/identite/nir", ...
};
IdentifierField fieldOf(core::IdentifierKind kind);

// The normalised identifiers held by a valid section document.
std::vector<core::Identifier> identifiersOf(core::Section section, const nlohmann::json& content);

// What the identifier index must hold for a section written with `content`: its identifiers,
// replacing those of the kinds the section carries; nothing for a section that carries none.
std::optional<store::IdentifierUpdate> reindexOf(core::Section section,
                                                 const nlohmann::json& content);

// Normalises an identifier given in a lookup query: nir as 13 or 15 characters; caf as
// "ORGANISME:NUMERO:MATRICULE" (e.g. "CAF:931:0123456"); france_travail and departement as
// written. Throws core::DomainError(invalid_input) if it is malformed (message without value).
core::Identifier parseQueryIdentifier(core::IdentifierKind kind, std::string_view raw);

}  // namespace passerelle::dossiers
