#pragma once

#include <string_view>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/core/domain_error.hpp"

namespace passerelle::app {

// Every error the gateway answers is one of these problem types (RFC 9457), whether it comes
// from a module's core::DomainError or from the HTTP layer itself.
enum class ProblemType {
  malformed_request,
  validation_failed,
  unauthenticated,
  forbidden,
  purpose_required,
  unknown_purpose,
  not_found,
  method_not_allowed,
  unsupported_media_type,
  payload_too_large,
  request_timeout,
  precondition_failed,
  conflict,
  gone,
  integrity_error,
  internal_error,
  unusable_file,      // an import's file cannot be used at all (nothing imported)
  audit_unavailable,  // nothing is returned that the audit log could not record
  store_unavailable,  // a write the store could not make (full disk, I/O error): retry later
  not_ready,          // GET /readyz: this node should not be sent traffic now
};

// One row of the table: what a refusal of this type is for the client and for the audit log.
// The HTTP layer answers with it and the imports and commands record it, so that both say the
// same of the same refusal.
struct ProblemInfo {
  ProblemType type;
  int status;                     // the HTTP status
  std::string_view name;          // urn:passerelle:problem:<name>, stable across versions
  std::string_view title;         // for humans, in the problem body
  audit::AuditDecision decision;  // what the audit entry of a request refused so records
};

const ProblemInfo& describe(ProblemType type);

// The problem type a module's error kind stands for.
ProblemType problemTypeOf(core::ErrorKind kind);

// The status and decision the API gives a DomainError, for entries recorded outside a request.
inline int httpStatusOf(const core::DomainError& error) {
  return describe(problemTypeOf(error.kind())).status;
}
inline audit::AuditDecision auditDecisionOf(const core::DomainError& error) {
  return describe(problemTypeOf(error.kind())).decision;
}

}  // namespace passerelle::app
