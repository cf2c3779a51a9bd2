#include "passerelle/app/error_table.hpp"

#include <array>
#include <stdexcept>

namespace passerelle::app {

namespace {

using audit::AuditDecision;

// deny: the caller may not (401, 403, 404: not found includes "not visible to you"); error: the
// gateway failed (5xx); invalid: what was sent cannot be served.
constexpr std::array<ProblemInfo, 20> kProblems = {{
    {ProblemType::malformed_request, 400, "malformed-request", "The request cannot be read",
     AuditDecision::invalid},
    {ProblemType::validation_failed, 422, "validation-failed", "The document breaks the schema",
     AuditDecision::invalid},
    {ProblemType::unauthenticated, 401, "unauthenticated", "The partner is not authenticated",
     AuditDecision::deny},
    {ProblemType::forbidden, 403, "forbidden-by-policy", "The sharing policy does not allow this",
     AuditDecision::deny},
    {ProblemType::purpose_required, 400, "purpose-required", "The X-Purpose header is required",
     AuditDecision::invalid},
    {ProblemType::unknown_purpose, 400, "unknown-purpose", "The purpose is not in the list",
     AuditDecision::invalid},
    {ProblemType::not_found, 404, "not-found", "No such resource", AuditDecision::deny},
    {ProblemType::method_not_allowed, 405, "method-not-allowed", "Method not allowed here",
     AuditDecision::invalid},
    {ProblemType::unsupported_media_type, 415, "unsupported-media-type",
     "The body must be application/json", AuditDecision::invalid},
    {ProblemType::payload_too_large, 413, "payload-too-large", "The body is too large",
     AuditDecision::invalid},
    {ProblemType::request_timeout, 408, "request-timeout", "The request was not received in time",
     AuditDecision::invalid},
    {ProblemType::precondition_failed, 412, "precondition-failed",
     "The resource has changed (If-Match / If-None-Match)", AuditDecision::invalid},
    {ProblemType::conflict, 409, "conflict", "The request conflicts with existing data",
     AuditDecision::invalid},
    {ProblemType::gone, 410, "gone", "The dossier was merged into another", AuditDecision::invalid},
    {ProblemType::integrity_error, 500, "integrity-error", "Stored data failed its integrity check",
     AuditDecision::error},
    {ProblemType::internal_error, 500, "internal-error", "Internal error", AuditDecision::error},
    {ProblemType::unusable_file, 422, "unusable-file", "The file cannot be imported",
     AuditDecision::invalid},
    {ProblemType::audit_unavailable, 503, "audit-unavailable",
     "The access could not be recorded in the audit log", AuditDecision::error},
    {ProblemType::store_unavailable, 503, "store-unavailable",
     "The store cannot be written now; nothing was changed", AuditDecision::error},
    {ProblemType::not_ready, 503, "not-ready", "This node should not be sent traffic now",
     AuditDecision::error},
}};

}  // namespace

const ProblemInfo& describe(ProblemType type) {
  for (const auto& p : kProblems)
    if (p.type == type) return p;
  throw std::logic_error("problem type without a row in the error table");
}

ProblemType problemTypeOf(core::ErrorKind kind) {
  switch (kind) {
    case core::ErrorKind::invalid_input:
      return ProblemType::malformed_request;
    case core::ErrorKind::validation_failed:
      return ProblemType::validation_failed;
    case core::ErrorKind::not_found:
      return ProblemType::not_found;
    case core::ErrorKind::forbidden:
      return ProblemType::forbidden;
    case core::ErrorKind::conflict:
      return ProblemType::conflict;
    case core::ErrorKind::precondition_failed:
      return ProblemType::precondition_failed;
    case core::ErrorKind::gone:
      return ProblemType::gone;
    case core::ErrorKind::integrity:
      return ProblemType::integrity_error;
    case core::ErrorKind::unavailable:
      return ProblemType::store_unavailable;
    case core::ErrorKind::audit_unavailable:
      return ProblemType::audit_unavailable;
    case core::ErrorKind::unusable_file:
      return ProblemType::unusable_file;
    case core::ErrorKind::configuration:
      return ProblemType::internal_error;  // the operator's to fix; its message goes to the log
  }
  return ProblemType::internal_error;
}

}  // namespace passerelle::app
