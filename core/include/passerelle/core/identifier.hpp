#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace passerelle::core {

// The kinds of identifier a dossier is matched on across partners (DESIGN §3).
enum class IdentifierKind {
  nir,             // numéro d'inscription au répertoire, 13 digits (key checked, not kept)
  caf,             // organisme (CAF/MSA) + caisse number + matricule
  france_travail,  // France Travail identifier
  departement,     // the Département's own identifier
};

std::optional<IdentifierKind> parseIdentifierKind(std::string_view name);
// A household identifier designates every member of a household (the CAF/MSA matricule is the
// household's file number): several dossiers share it, and it matches a person only together
// with their name and birth date. Every other kind designates one person.
bool isHouseholdIdentifier(IdentifierKind kind);
std::string_view toString(IdentifierKind kind);
const std::vector<IdentifierKind>& allIdentifierKinds();

// An identifier in its normalised form: two spellings of the same identifier normalise to the
// same value, which is what the keyed index hashes. Never logged.
struct Identifier {
  IdentifierKind kind;
  std::string normalised;

  friend bool operator==(const Identifier&, const Identifier&) = default;
};

}  // namespace passerelle::core
