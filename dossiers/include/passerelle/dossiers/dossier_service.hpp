#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "passerelle/core/identifier.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/schemas/section_validator.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::dossiers {

struct CreateResult {
  core::DossierId id;
  bool matched = false;                            // an existing dossier was found
  std::optional<core::IdentifierKind> matched_on;  // the strongest identifier that matched
  std::vector<store::VersionInfo> written;         // sections written (none when matched)
};

struct DossierView {
  core::DossierId id;
  std::vector<store::SectionVersion> sections;  // current version of each section present
};

// The use cases on dossiers, in one place for the HTTP API and the bulk imports: validation,
// identifier matching and versioned writes. Holds no state of its own; safe to share across
// request threads. Errors are core::DomainError.
class DossierService {
 public:
  DossierService(store::DossierStore& store, const schemas::SectionValidator& validator);

  // `body` maps section names to section documents and must hold `identite` and at least one
  // identifier. If an identifier already designates a dossier, returns it (nothing written);
  // if identifiers designate different dossiers, conflict. Otherwise creates the dossier with
  // the given sections as their first versions.
  CreateResult createOrMatch(const nlohmann::json& body, const store::WriteContext& context);

  std::optional<core::DossierId> lookup(const core::Identifier& identifier) const;

  // not_found if the dossier does not exist.
  DossierView read(const core::DossierId& id) const;
  // not_found if the dossier or the section does not exist.
  store::SectionVersion readSection(const core::DossierId& id, core::Section section) const;

  // Validates then stores a new version of a section (or nothing if unchanged), reindexing the
  // identifiers it carries.
  store::PutResult writeSection(const core::DossierId& id, core::Section section,
                                const nlohmann::json& content,
                                const store::Precondition& precondition,
                                const store::WriteContext& context);

  // not_found if the dossier does not exist.
  std::vector<store::VersionInfo> history(const core::DossierId& id) const;

 private:
  void validate(core::Section section, const nlohmann::json& content,
                const std::string& pointer_prefix, std::vector<core::FieldError>& errors) const;

  store::DossierStore& store_;
  const schemas::SectionValidator& validator_;
};

}  // namespace passerelle::dossiers
