#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "passerelle/core/identifier.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::store {

// Who writes, and through which channel ("api", "demo", "import:caf-rsa-xml", ...).
struct WriteContext {
  core::PartnerId author;
  std::string source;
};

// The metadata of one stored version of a section.
struct VersionInfo {
  core::Section section;
  std::int64_t version = 0;
  std::string author;
  std::string source;
  std::string written_at;    // UTC, ISO 8601 with milliseconds
  std::string content_hash;  // keyed hash of the content: equal contents, equal hashes
};

// One version of a section with its content (JSON text).
struct SectionVersion {
  VersionInfo info;
  std::string content;
};

// What a writer expects of the current version (optimistic concurrency).
struct Precondition {
  enum class Kind { none, absent, present, version };
  Kind kind = Kind::none;
  std::int64_t version = 0;

  static Precondition any() { return {}; }
  static Precondition mustBeAbsent() { return {Kind::absent, 0}; }
  static Precondition mustBePresent() { return {Kind::present, 0}; }
  static Precondition mustBeVersion(std::int64_t v) { return {Kind::version, v}; }
};

// The identifiers a section carries: writing the section replaces the dossier's index entries
// of the `kinds` with `values`.
struct IdentifierUpdate {
  std::vector<core::IdentifierKind> kinds;
  std::vector<core::Identifier> values;
};

struct PutResult {
  VersionInfo info;      // the current version after the call
  bool changed = false;  // false when the content equals the current version (nothing written)
};

// A reconciliation case (migration 007): what a partner sent about a person was at odds with the
// dossiers its identifiers designate. Holds no personal data.
struct ReconciliationCase {
  std::string id;  // "k…"
  std::string opened_at;
  core::PartnerId opened_by{""};
  std::string source;    // "api", "import:caf-rsa-xml", ...
  std::string position;  // JSON object: record, line, person of a file; {} for the API
  std::vector<core::DossierId> dossiers;  // the dossiers designated
  std::vector<std::string> places;        // JSON pointers at odds in what was sent
  // Which dossier held which identifier kind that designated it: what a "different people"
  // decision takes away.
  std::vector<std::pair<core::IdentifierKind, core::DossierId>> contested;
  std::string status = "open";  // open, same_person, different_people, source_error
  // The identifiers the incoming record carried: never stored, only their keyed hashes folded
  // into the case's fingerprint, so that the same record sent again finds the same case.
  std::vector<core::Identifier> carried;
  std::optional<std::string> resolved_at, resolved_by, resolution;
};

struct CaseResolution;

// Persistence of dossiers: sections with every version kept, and keyed identifier indexes.
// Contents are encrypted and identifiers blinded inside the implementation; callers handle plain
// JSON and normalised identifiers only. Implementations are safe for concurrent use from request
// threads. Errors the caller can act on are core::DomainError (not_found, conflict,
// precondition_failed, integrity); anything else is a storage failure.
class DossierStore {
 public:
  virtual ~DossierStore() = default;

  // Whether the store takes writes: true unless the last write failed as a whole (full disk,
  // I/O error); then commits a one-row write (a liveness row, no dossier) through the writer
  // every change goes through, and says whether it became durable. The readiness probe; never
  // throws.
  virtual bool probeWritable() = 0;

  // What a write does next in its own transaction (the relationships it implies, through the
  // other stores of the same database), given what it wrote: one fact with the write, undone
  // with it if it throws.
  using ThenCreated = std::function<void()>;
  using ThenPut = std::function<void(const std::vector<PutResult>&)>;

  // Creates a dossier with the first version of each given section and its identifiers, then
  // runs `then`, all or nothing; returns the versions written. Throws conflict if an identifier
  // already belongs to another dossier.
  virtual std::vector<VersionInfo> createDossier(
      const core::DossierId& id, const std::vector<std::pair<core::Section, std::string>>& sections,
      const std::vector<core::Identifier>& identifiers, const WriteContext& context,
      const ThenCreated& then = {}) = 0;

  // The dossier a person's identifier belongs to, if any. For a household identifier
  // (core::isHouseholdIdentifier), the dossier only when it is the one member holding it.
  virtual std::optional<core::DossierId> findByIdentifier(const core::Identifier& id) const = 0;
  // Every dossier holding the identifier, in id order (the members of a household).
  virtual std::vector<core::DossierId> dossiersWithIdentifier(const core::Identifier& id) const = 0;

  virtual bool exists(const core::DossierId& id) const = 0;

  // The current version of every section the dossier has (empty if no such dossier).
  virtual std::vector<SectionVersion> currentSections(const core::DossierId& id) const = 0;
  // The same, for the sections in `only` (every section if it is empty): a walk over every
  // dossier that needs a few sections does not decrypt the others.
  virtual std::vector<SectionVersion> currentSections(
      const core::DossierId& id, const std::set<core::Section>& only) const = 0;
  virtual std::optional<SectionVersion> currentSection(const core::DossierId& id,
                                                       core::Section section) const = 0;

  // Writes a new version of a section, unless its content equals the current one. Checks the
  // precondition first (precondition_failed), then the identifiers (conflict); not_found if the
  // dossier does not exist. All or nothing, durable when it returns.
  // `then` runs after the write, in its transaction, with its result.
  virtual PutResult putSection(const core::DossierId& id, core::Section section,
                               const std::string& content, const Precondition& precondition,
                               const std::optional<IdentifierUpdate>& identifiers,
                               const WriteContext& context, const ThenPut& then = {}) = 0;

  // One section of a putSections call.
  struct SectionWrite {
    core::Section section;
    std::string content;
    std::optional<IdentifierUpdate> identifiers;
  };
  // Writes several sections of one dossier as putSection does (without precondition), all or
  // nothing, in one durable transaction (imports: one commit per person, not per section).
  // Results in the order of `writes`; `then` runs after them, in their transaction.
  virtual std::vector<PutResult> putSections(const core::DossierId& id,
                                             const std::vector<SectionWrite>& writes,
                                             const WriteContext& context,
                                             const ThenPut& then = {}) = 0;

  // Metadata of every version of every section, oldest first within a section.
  virtual std::vector<VersionInfo> history(const core::DossierId& id) const = 0;

  // Dossiers not erased.
  virtual std::int64_t dossierCount() const = 0;

  // Up to `limit` ids of dossiers not erased, in id order, after `after` (from the first if
  // none): a walk over every dossier in pages, in bounded memory (exports).
  virtual std::vector<core::DossierId> dossierIdsAfter(const std::optional<core::DossierId>& after,
                                                       std::size_t limit) const = 0;

  // One section version in the order the store committed them (the change feed). `sequence`
  // only grows: a reader that resumes after the last one it saw misses nothing.
  struct Change {
    std::int64_t sequence = 0;
    core::DossierId dossier;
    core::Section section;
    std::int64_t version = 0;  // 0 for a merge
    std::string written_at;
    // A reconciliation merged `dossier` into this one (no section was written).
    std::optional<core::DossierId> merged_into = {};
    // A notice for one partner only (JSON text): never shown to anyone else, and shown without
    // `dossier`, which that partner may not be able to see.
    std::optional<core::PartnerId> addressed_to = {};
    std::optional<std::string> notice = {};
  };
  // Up to `limit` changes after `sequence`, oldest first (erased dossiers left out).
  virtual std::vector<Change> changesAfter(std::int64_t sequence, std::size_t limit) const = 0;

  // Every dossier not erased, with the time of its last section write (for retention).
  struct LastWrite {
    core::DossierId id;
    core::UtcTime written_at;
  };
  virtual std::vector<LastWrite> lastWrites() const = 0;

  // Erasure by crypto-shredding: destroys the dossier's data key (every version of every
  // section, in this database and in every copy of it, becomes unreadable), removes its
  // identifiers from the indexes, and records when, by whom and why. Afterwards the dossier
  // does not exist for any other call. False if there was no such dossier (or it was erased).
  virtual bool erase(const core::DossierId& id, const std::string& reason,
                     const WriteContext& context) = 0;

  // The dossier a merged one now is (following merges), if it was merged.
  virtual std::optional<core::DossierId> mergedInto(const core::DossierId& id) const = 0;

  // Opens a reconciliation case, unless one is still open for the same partner and the same
  // identifiers carried (the same record sent again, whatever else changed since): returns the
  // id of the open case.
  virtual std::string openCase(const ReconciliationCase& reconciliation) = 0;
  // Open cases, oldest first, at most `limit`.
  virtual std::vector<ReconciliationCase> openCases(std::size_t limit) const = 0;
  // Decided cases, the latest decided first, at most `limit`.
  virtual std::vector<ReconciliationCase> decidedCases(std::size_t limit) const = 0;
  virtual std::optional<ReconciliationCase> findCase(const std::string& id) const = 0;
  // Carries out a decision on an open case and closes it, all or nothing, in one durable
  // transaction. A merge takes `from`'s identifiers out of the index, moves its relationships
  // and consents to `into`, marks it merged (a change of the feed) and keeps its versions; the
  // writes then go in as putSections would (identifiers re-indexed). conflict if the case is
  // not open any more; not_found if a dossier is not live.
  virtual void resolveCase(const std::string& id, const CaseResolution& resolution,
                           const WriteContext& context) = 0;
};

// How a case is closed: optionally `from` merged into `into`; then `writes` per dossier; then
// the case closed with `status` and `resolution` (JSON text, no personal data).
struct CaseResolution {
  std::string status;
  std::string resolution;
  std::optional<std::pair<core::DossierId, core::DossierId>> merge;  // into, from
  std::vector<std::pair<core::DossierId, std::vector<DossierStore::SectionWrite>>> writes;
  // The notice for the partner whose record opened the case, written to the change feed in the
  // same transaction (`dossier` is one of the case's, for the row only).
  struct Notice {
    core::PartnerId to{""};
    core::DossierId dossier;
    std::string body;  // JSON object
  };
  std::optional<Notice> notice = {};
};

}  // namespace passerelle::store
