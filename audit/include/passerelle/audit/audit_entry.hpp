#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::audit {

// What a request did, as the DPO reads it.
enum class AuditAction {
  dossier_create,
  dossier_match,
  dossier_lookup,
  dossier_read,
  section_read,
  section_write,
  history_read,
  dossier_erase,
  export_run,  // a pseudonymised export: one entry for the export, no person
  export_request,
  export_fetch,
  survey_contact,  // a person's identity and contact given to a study's évaluateur, on consent
  indicators_read,
  import_run,      // a partner file imported: one entry for the file, no person
  dossier_import,  // a person's dossier created, updated or matched by an import
  changes_read,    // a page of the change feed (dossier ids and sections, no content)
  webhook_deliveries_read,
  relationship_list,
  relationship_attach,
  relationship_end,
  consent_list,
  consent_record,
  consent_withdraw,
  consent_reaffirm,
  policy_reload,
  audit_search,
  audit_person_report,
  audit_checkpoint,
  audit_proof,
  reconciliation_list,     // the open identity reconciliation cases
  reconciliation_resolve,  // a decision on one: one entry for each dossier it concerns
  console_sign_in,         // a console session opened (docs/console.md)
  console_session,         // a session's own state read
  console_sign_out,        // a session ended
  audit_integrity,         // the log's state read: size, checkpoints, pruning, last verification
  audit_verify,            // the whole log verified: the result in the entry's details
  audit_refusals,          // refused requests counted by period, partner and action
  unknown_endpoint,        // the last: allAuditActions() counts up to it
};

// How the request ended, for the person whose data it concerned.
enum class AuditDecision {
  allow,    // everything asked was given or done
  partial,  // allowed, with fields withheld
  deny,     // refused: not authenticated, not allowed, or not visible to the caller
  invalid,  // refused because the request itself was wrong (validation, precondition...)
  error,    // the gateway failed
};

std::string_view toString(AuditAction action);
std::optional<AuditAction> parseAuditAction(std::string_view name);
std::string_view frenchLabel(AuditAction action);  // "consultation du dossier", ...
std::vector<AuditAction> allAuditActions();        // in the enumeration's order
std::string_view toString(AuditDecision decision);
std::optional<AuditDecision> parseAuditDecision(std::string_view name);
std::string_view frenchLabel(AuditDecision decision);

// A field held back from the caller, and why (policies::WithholdReason's name).
struct WithheldNote {
  std::string field;
  std::string reason;
  friend bool operator==(const WithheldNote&, const WithheldNote&) = default;
};

// One request as the audit log records it, before the log gives it a position. Never holds a
// name, an identifier or a value: the person appears only as their audit pseudonym.
struct AuditEvent {
  core::UtcTime time;
  std::optional<core::PartnerId> partner;  // none when authentication failed
  std::string credential;                  // "cert:<fingerprint prefix>", "token:<hash prefix>"
  std::optional<core::Purpose> purpose;
  AuditAction action = AuditAction::unknown_endpoint;
  std::string person;                  // audit pseudonym; "" when no person is concerned
  std::vector<std::string> disclosed;  // catalogue paths of the fields returned
  std::vector<std::string> written;    // catalogue paths of the fields written
  std::vector<WithheldNote> withheld;
  AuditDecision decision = AuditDecision::error;
  std::string policy_version;
  std::vector<std::string> rules;  // policy rule ids, and "consent:<id>" for consents relied on
  core::RequestId request_id{""};
  int status = 0;                              // HTTP status returned
  std::map<std::string, std::string> details;  // action-specific, never personal data
  // Fields of category `sensible` held back from the caller: naming them would tell the caller
  // that the person has, say, health information. Not in the entry's bytes: the log keeps them
  // in the entry's sensitive part, to which the entry commits (`sensitive_commitment`), and
  // only the DPO's views open it.
  std::vector<WithheldNote> withheld_sensitive;
  std::string sensitive_commitment;  // hex SHA-256 of the sensitive part; "" when none

  friend bool operator==(const AuditEvent&, const AuditEvent&) = default;
};

// An event at its position in the log.
struct AuditEntry {
  std::uint64_t index = 0;
  AuditEvent event;
  friend bool operator==(const AuditEntry&, const AuditEntry&) = default;
};

// An entry or an exported log that cannot be read; the message says where.
class AuditFormatError : public core::DomainError {
 public:
  explicit AuditFormatError(const std::string& message)
      : core::DomainError(core::ErrorKind::integrity, message) {}
};

// The one byte form of an entry that the Merkle leaf hashes: JSON (RFC 8259) with keys in
// byte order, no insignificant whitespace, UTF-8, integers only, every key present, lists
// sorted. docs/audit.md specifies it for independent verifiers.
std::string canonicalBytes(const AuditEntry& entry);

// Reads canonical bytes back; throws AuditFormatError if they are not an entry or not in
// canonical form (a re-serialised or edited entry would not hash the same).
AuditEntry parseAuditEntry(std::string_view bytes);

// The entry as a JSON object (the canonical form before serialisation).
nlohmann::json entryJson(const AuditEntry& entry);

// The sensitive part of an entry: its withheld_sensitive notes with a random salt (so that the
// commitment cannot be tested against guesses), as canonical JSON. Sets the entry's
// commitment; returns nullopt, leaving the entry as it is, when there is nothing sensitive.
std::optional<std::string> sealSensitivePart(AuditEntry& entry);
// Opens a stored sensitive part: checks it against the entry's commitment and fills
// withheld_sensitive. Throws AuditFormatError if it does not match (altered) or is missing
// where the entry commits to one.
void openSensitivePart(AuditEntry& entry, const std::optional<std::string>& sensitive);

}  // namespace passerelle::audit
