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

// One person of a bulk import, as a connector maps them.
struct ImportPerson {
  // section name -> the fields to write: merged into the current version (fields absent here
  // are kept), or the first version of a new dossier.
  nlohmann::json sections = nlohmann::json::object();
  // section name -> document written only if the dossier is created; otherwise used to match
  // (a France Travail extract names the person, but France Travail does not own the identity).
  nlohmann::json on_create = nlohmann::json::object();
  // Subtrees the source states whole (catalogue paths such as "/droits/rsa"): when given, they
  // replace the current value instead of being merged into it, so that a field the source no
  // longer sends (a suspension that ended) does not linger.
  std::vector<core::FieldPath> replace;
  // Fields written only where the policy allows this partner to write them for this person (a
  // health flag needs the person's consent); elsewhere left out and listed in the outcome,
  // instead of refusing the whole record.
  std::vector<core::FieldPath> if_allowed;
  // Lists the source sends item by item (France Travail's actions, one row each): the items
  // given are put into the current list, replacing the one with the same key fields, instead of
  // replacing the list.
  struct ItemKey {
    core::FieldPath list;
    std::vector<std::string> fields;
  };
  std::vector<ItemKey> upsert_items;
};

enum class ImportStatus {
  created,    // a new dossier
  updated,    // a dossier matched, and at least one section changed
  unchanged,  // a dossier matched, and every section already said this
  refused,    // a dossier matched, and the write was refused (see ImportOutcome::refusal)
};

struct ImportOutcome {
  ImportStatus status;
  core::DossierId id;
  std::optional<core::IdentifierKind> matched_on;  // none when created
  std::vector<store::VersionInfo> written;         // versions written by this import
  DecisionRecord decision;
  std::optional<core::DomainError> refusal;  // forbidden or validation_failed, fields named
  std::vector<core::FieldPath> left_out;     // if_allowed fields the policy did not allow
};

// A page of the change feed as one partner may see it.
struct ChangesPage {
  std::vector<store::DossierStore::Change> changes;  // sections the caller may read
  std::int64_t next = 0;  // the cursor to resume from (past what was looked at, shown or not)
  bool more = false;      // the store may hold changes after `next`
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

  // `body` maps section names to documents and must hold `identite` and an identifier. If the
  // person is an existing dossier's (resolvePerson), returns it (nothing written) and attaches a
  // source caller; if the identifiers and identity are at odds with the dossiers they
  // designate, conflict naming the kinds. Otherwise creates the dossier, every field being one
  // the caller may write.
  CreateResult createOrMatch(const Caller& caller, const nlohmann::json& body,
                             const std::string& source);

  // Throws DomainError(forbidden) unless some rule lets the caller's kind write for its purpose
  // (an import is refused before its file is read).
  void requireWriter(const Caller& caller) const;

  // Bulk imports: matches the person (resolvePerson), then merges `sections` into their dossier
  // under the same policy and validation as writeSection, all sections in one transaction; or
  // creates the dossier from `on_create` and `sections` as createOrMatch would. Throws
  // core::DomainError when no dossier can be designated (invalid sections, no identifier,
  // identifiers of different dossiers, creation refused); once a dossier is designated, a
  // refusal is returned in the outcome, so that it can be recorded against the person.
  // `position` (a JSON object: record, line, person) goes into a reconciliation case opened.
  ImportOutcome importPerson(const Caller& caller, const ImportPerson& person,
                             const std::string& source, const std::string& position = "{}");

  // The dossier an identifier designates, if the caller may see it (not_found otherwise). A
  // household identifier (CAF/MSA matricule) shared by several dossiers the caller may see is
  // a conflict: a household member is looked up by a person's identifier.
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

  // The changes after cursor `since` (0: from the start) that the caller may see: dossiers it
  // may see, sections of which it may read at least one field for its purpose. Looks at up to
  // `limit` changes; follow `next` while `more`.
  ChangesPage changes(const Caller& caller, std::int64_t since, std::size_t limit) const;

  // Version metadata of every section (history readers only).
  std::vector<store::VersionInfo> history(const Caller& caller, const core::DossierId& id) const;

 private:
  struct PersonMatch {
    core::DossierId id;
    core::IdentifierKind on;
  };
  // Who the person is (person_resolution.cpp, docs/imports.md § Matching). `sections` is what
  // the caller sent (section -> document), `identifiers` the identifiers it carries. The person
  // is dossier D only if every identifier designates D or nobody, one of those designating D
  // is of a kind the policy lets the caller match on (`match_on`), no identifier or birth date
  // it sends contradicts D's, and, where matching attaches the caller to D, the identity sent
  // is D's (samePerson). nullopt: nobody, a new person. Throws forbidden, before any lookup, for
  // an identifier the caller may neither match on nor write (it could only be a probe); throws
  // conflict naming the kinds at odds (never values) otherwise.
  // The conflict opens a reconciliation case (store::ReconciliationCase, from `source` and the
  // record's `position`) when dossiers were designated, and names it in its members
  // ("reconciliation_case"); an open case about the same thing is not opened twice.
  std::optional<PersonMatch> resolvePerson(const Caller& caller, const policies::Decision& decision,
                                           std::vector<core::Identifier> identifiers,
                                           const nlohmann::json& sections, const core::UtcTime& now,
                                           const std::string& source,
                                           const std::string& position) const;
  std::optional<core::DossierId> householdMember(const core::Identifier& household,
                                                 const nlohmann::json& identite) const;
  // conflict if `merged` would change the NIR or the birth date `current` holds: only a
  // reconciliation decision changes them.
  static void keepCivilIdentity(const nlohmann::json& current, const nlohmann::json& merged,
                                const std::string& pointer_prefix);
  // Creates a dossier from `body` (section -> document, already validated), every field being
  // one the caller may write.
  CreateResult create(const Caller& caller, const policies::Decision& decision,
                      const nlohmann::json& body,
                      std::vector<std::pair<core::Section, std::string>> sections,
                      std::vector<core::Identifier> identifiers, const std::string& source,
                      const core::UtcTime& now,
                      const char* refusal = "the dossier holds fields this partner may not write");
  ImportOutcome mergeInto(const Caller& caller, const PersonMatch& match,
                          const ImportPerson& person, const std::string& source,
                          const core::UtcTime& now);

  void validate(core::Section section, const nlohmann::json& content,
                const std::string& pointer_prefix, std::vector<core::FieldError>& errors) const;

  store::DossierStore& store_;
  const schemas::SectionValidator& validator_;
  const AccessGuard& guard_;
  RelationshipService& relationships_;
};

}  // namespace passerelle::dossiers
