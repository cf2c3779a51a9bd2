#pragma once

#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/core/domain_error.hpp"

namespace passerelle::gateway {

// Every error the API returns is one of these problem types (RFC 9457), each with a stable URI
// and one HTTP status.
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

int httpStatus(ProblemType type);
// "urn:passerelle:problem:<name>", stable across versions.
std::string typeUri(ProblemType type);
std::string title(ProblemType type);

// An error on its way to the client. `detail` is for humans and never holds personal data.
struct Problem {
  ProblemType type;
  std::string detail;
  std::vector<core::FieldError> errors;  // for validation failures: where, and which rule
  std::map<std::string, std::string> members = {};  // extension members (RFC 9457): ids only
};

// Thrown inside the HTTP layer; the request handler turns it into the response.
class ProblemException : public std::exception {
 public:
  explicit ProblemException(Problem problem) : problem_(std::move(problem)) {}
  const Problem& problem() const { return problem_; }
  const char* what() const noexcept override { return problem_.detail.c_str(); }

 private:
  Problem problem_;
};

// The problem a module's DomainError stands for.
Problem problemOf(const core::DomainError& error);

// What the audit log records of a request refused with `status` (>= 400): deny for 401, 403
// and 404, error for 5xx, invalid otherwise.
audit::AuditDecision refusalDecision(int status);
// The status and decision the API would give a DomainError, for entries recorded outside a
// request (imports, command line), so that both say the same of the same refusal.
int httpStatus(const core::DomainError& error);

// The application/problem+json body; `instance` is the request id.
nlohmann::json problemBody(const Problem& problem, const std::string& request_id);

}  // namespace passerelle::gateway
