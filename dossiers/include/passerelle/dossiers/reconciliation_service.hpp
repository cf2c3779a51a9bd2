#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/dossiers/caller.hpp"
#include "passerelle/schemas/section_validator.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::dossiers {

// What a decision did, for the answer and the audit log.
struct CaseOutcome {
  store::ReconciliationCase decided;     // the case as closed
  std::vector<core::DossierId> changed;  // dossiers that got new versions (or were merged)
  std::optional<core::DossierId> merged_from, merged_into;
};

// Identity reconciliation (docs/imports.md): the cases that resolvePerson opened, listed and
// decided by the partners whose kind has the `reconciliation` capability (the Département).
// Decisions are made in one durable transaction (store::DossierStore::resolveCase). Errors are
// core::DomainError: forbidden, not_found, validation_failed (naming the field), conflict (the
// case is closed, or the decision cannot hold: two NIRs are not one person). Safe to share
// across request threads.
class ReconciliationService {
 public:
  ReconciliationService(store::DossierStore& store, const schemas::SectionValidator& validator,
                        const AccessGuard& guard)
      : store_(store), validator_(validator), guard_(guard) {}

  // The open cases, oldest first; or the decided ones, the latest decided first (at most 1000).
  std::vector<store::ReconciliationCase> list(const Caller& caller, bool decided = false) const;

  // Body: {"decision": "same_person", "keep": "d…"} (the case's other dossier is merged into
  // it: its sections completed from the other's, identifiers re-indexed, relationships and
  // consents carried over; the other answers 410 from then on); {"decision":
  // "different_people", "identifier_kept_by": "d…" | null} (the identifiers the case contests
  // are taken out of every other dossier of the case); {"decision": "source_error"} (nothing
  // changes; the case is closed).
  CaseOutcome resolve(const Caller& caller, const std::string& case_id, const nlohmann::json& body);

  // The dossier a merged one became, if the caller may see it (otherwise nothing, as for a
  // dossier that does not exist): the HTTP layer answers 410 with it.
  std::optional<core::DossierId> mergedInto(const Caller& caller, const core::DossierId& id) const;

 private:
  std::vector<store::DossierStore::SectionWrite> mergedSections(const core::DossierId& keep,
                                                                const core::DossierId& other,
                                                                nlohmann::json& resolution) const;
  std::vector<store::DossierStore::SectionWrite> withoutIdentifiers(
      const core::DossierId& id, const std::vector<core::IdentifierKind>& kinds) const;

  store::DossierStore& store_;
  const schemas::SectionValidator& validator_;
  const AccessGuard& guard_;
};

nlohmann::json caseJson(const store::ReconciliationCase& reconciliation);

}  // namespace passerelle::dossiers
