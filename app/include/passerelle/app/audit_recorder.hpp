#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/audit/audit_log.hpp"
#include "passerelle/audit/pending_entries.hpp"
#include "passerelle/audit/person_pseudonyms.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/dossiers/dossier_service.hpp"

namespace passerelle::app {

// Who acted, as every entry of one request or command names them.
struct Actor {
  std::optional<core::PartnerId> partner;  // none before authentication
  std::string credential;                  // as the audit log names it ("cert:…", "cli:…")
  std::optional<core::Purpose> purpose;
  core::RequestId request_id;
};

// What a request or command did, noted as it goes, so that one that fails halfway is still
// logged with the person it concerned.
struct AuditNote {
  std::optional<audit::AuditAction> action;  // overrides the route's (a create that matched)
  std::optional<core::DossierId> person;
  // Other persons the request concerned (a merge: both dossiers): each gets the same entry, so
  // that their access reports show it.
  std::vector<core::DossierId> also_persons;
  std::vector<std::string> disclosed;
  std::vector<std::string> written;
  std::vector<audit::WithheldNote> withheld;
  std::vector<audit::WithheldNote> withheld_sensitive;  // category `sensible`: the DPO's view only
  std::string policy_version;
  std::vector<std::string> rules;
  std::map<std::string, std::string> details;

  // The decision behind a read (fields disclosed) or a write (fields written).
  void recordRead(const dossiers::DecisionRecord& decision);
  void recordWrite(const dossiers::DecisionRecord& decision);
};

// Builds every audit entry the gateway writes (API requests, imports, exports, retention, the
// command line) from who acted, what they did and the answer, and records it. Thread-safe.
class AuditRecorder {
 public:
  AuditRecorder(audit::AuditLog& log, audit::PendingEntries& pending,
                const audit::PersonPseudonyms& pseudonyms)
      : log_(log), pending_(pending), pseudonyms_(pseudonyms) {}

  // The entry, timed now. `refusal`: the decision of the error answered (error_table.hpp), none
  // for a success (allow, or partial when fields were withheld). `committed`: a change is
  // stored, so the entry says what was written even if the answer is an error; a failed request
  // disclosed nothing.
  audit::AuditEvent entry(const Actor& actor, audit::AuditAction action, const AuditNote& note,
                          int status, std::optional<audit::AuditDecision> refusal,
                          bool committed) const;

  // Durable before it returns; throws audit::AuditUnavailable if the log cannot take it (then
  // the caller must answer without what it would have disclosed).
  audit::Appended append(audit::AuditEvent event) { return log_.append(std::move(event)); }
  // The entry of a change already committed with its outbox rows (`claims`): owed whatever the
  // log says now, it waits with the change if the log cannot take it (nothing returned then).
  std::optional<audit::Appended> recordCommitted(audit::AuditEvent event,
                                                 std::vector<std::string> claims) {
    return pending_.record(std::move(event), std::move(claims));
  }

  // The audit pseudonym of a person (never their dossier id in the log).
  std::string person(const core::DossierId& id) const { return pseudonyms_.of(id); }
  audit::AuditLog& log() { return log_; }
  audit::PendingEntries& pending() { return pending_; }

 private:
  audit::AuditLog& log_;
  audit::PendingEntries& pending_;
  const audit::PersonPseudonyms& pseudonyms_;
};

}  // namespace passerelle::app
