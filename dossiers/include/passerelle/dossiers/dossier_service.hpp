#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/identifier.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/dossiers/caller.hpp"
#include "passerelle/dossiers/relationship_service.hpp"
#include "passerelle/schemas/section_validator.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::dossiers {

// What a decision rested on, for the audit log: the fields actually disclosed or written, the
// rules (and consents) that granted them, and every field held back.
struct DecisionRecord {
  std::string policy_version;
  std::vector<std::string> fields;   // catalogue paths disclosed (reads) or written (writes)
  std::vector<std::string> grounds;  // rule ids, and "consent:<id>" for each consent relied on
  std::vector<policies::WithheldField> withheld;  // every field held back, sensitive ones included
};

struct CreateResult {
  core::DossierId id;
  bool matched = false;                            // an existing dossier was found
  std::optional<core::IdentifierKind> matched_on;  // the strongest identifier that matched
  std::vector<store::VersionInfo> written;         // sections written (none when matched)
  DecisionRecord decision;
};

// A dossier as one caller may see it.
struct ReadResult {
  core::DossierId id;
  nlohmann::json sections;                   // section name -> visible document
  std::vector<store::VersionInfo> versions;  // of the sections shown
  // Present but not disclosed (paths, reasons), as the partner is told: fields of category
  // `sensible` are left out, since naming them would tell that the person has, say, health
  // information. The decision record keeps the complete list.
  std::vector<policies::WithheldField> withheld;
  DecisionRecord decision;
};

struct SectionReadResult {
  store::VersionInfo info;
  nlohmann::json content;
  std::vector<policies::WithheldField> withheld;  // as in ReadResult: sensitive fields left out
  DecisionRecord decision;
};

struct WriteResult {
  store::PutResult put;
  DecisionRecord decision;
};

// The use cases on dossiers, in one place for the HTTP API and the bulk imports: validation,
// the sharing policy (relationships, consents) on every read and write, identifier matching
// and versioned writes. Errors are core::DomainError: forbidden (policy; fields named),
// not_found (also when the caller may not learn the dossier exists), validation_failed,
// conflict, precondition_failed. Safe to share across request threads.
class DossierService {
 public:
  DossierService(store::DossierStore& store, const schemas::SectionValidator& validator,
                 const AccessGuard& guard, RelationshipService& relationships);

  // `body` maps section names to documents and must hold `identite` and an identifier. If an
  // identifier designates a dossier, returns it (nothing written) and attaches a source caller;
  // if identifiers designate different dossiers, conflict. Otherwise creates the dossier, every
  // field being one the caller may write.
  CreateResult createOrMatch(const Caller& caller, const nlohmann::json& body,
                             const std::string& source);

  // The dossier an identifier designates, if the caller may see it (not_found otherwise).
  core::DossierId lookup(const Caller& caller, const core::Identifier& identifier) const;

  ReadResult read(const Caller& caller, const core::DossierId& id) const;

  // forbidden when the section exists but none of its fields may be disclosed to the caller.
  SectionReadResult readSection(const Caller& caller, const core::DossierId& id,
                                core::Section section) const;

  // Replaces a section. Every field submitted must be writable by the caller (forbidden, naming
  // the others); fields the caller may not write are carried over from the current version.
  WriteResult writeSection(const Caller& caller, const core::DossierId& id, core::Section section,
                           const nlohmann::json& content, const store::Precondition& precondition,
                           const std::string& source);

  // Erases the dossier (crypto-shredding, store::DossierStore::erase). The Département only;
  // `body` is {"reason": "…"} (required, the legal ground, kept with the erasure; 1 to 500
  // characters). not_found if there is no such dossier.
  void erase(const Caller& caller, const core::DossierId& id, const nlohmann::json& body);

  // Version metadata of every section (history readers only).
  std::vector<store::VersionInfo> history(const Caller& caller, const core::DossierId& id) const;

 private:
  void validate(core::Section section, const nlohmann::json& content,
                const std::string& pointer_prefix, std::vector<core::FieldError>& errors) const;

  store::DossierStore& store_;
  const schemas::SectionValidator& validator_;
  const AccessGuard& guard_;
  RelationshipService& relationships_;
};

}  // namespace passerelle::dossiers
