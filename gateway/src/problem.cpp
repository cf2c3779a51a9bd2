#include "passerelle/gateway/problem.hpp"

#include <array>
#include <stdexcept>

namespace passerelle::gateway {

namespace {

struct TypeInfo {
  ProblemType type;
  int status;
  const char* name;
  const char* title;
};

constexpr std::array<TypeInfo, 20> kTypes = {{
    {ProblemType::malformed_request, 400, "malformed-request", "The request cannot be read"},
    {ProblemType::validation_failed, 422, "validation-failed", "The document breaks the schema"},
    {ProblemType::unauthenticated, 401, "unauthenticated", "The partner is not authenticated"},
    {ProblemType::forbidden, 403, "forbidden-by-policy", "The sharing policy does not allow this"},
    {ProblemType::purpose_required, 400, "purpose-required", "The X-Purpose header is required"},
    {ProblemType::unknown_purpose, 400, "unknown-purpose", "The purpose is not in the list"},
    {ProblemType::not_found, 404, "not-found", "No such resource"},
    {ProblemType::method_not_allowed, 405, "method-not-allowed", "Method not allowed here"},
    {ProblemType::unsupported_media_type, 415, "unsupported-media-type",
     "The body must be application/json"},
    {ProblemType::payload_too_large, 413, "payload-too-large", "The body is too large"},
    {ProblemType::request_timeout, 408, "request-timeout", "The request was not received in time"},
    {ProblemType::precondition_failed, 412, "precondition-failed",
     "The resource has changed (If-Match / If-None-Match)"},
    {ProblemType::conflict, 409, "conflict", "The request conflicts with existing data"},
    {ProblemType::gone, 410, "gone", "The dossier was merged into another"},
    {ProblemType::integrity_error, 500, "integrity-error",
     "Stored data failed its integrity check"},
    {ProblemType::internal_error, 500, "internal-error", "Internal error"},
    {ProblemType::unusable_file, 422, "unusable-file", "The file cannot be imported"},
    {ProblemType::audit_unavailable, 503, "audit-unavailable",
     "The access could not be recorded in the audit log"},
    {ProblemType::store_unavailable, 503, "store-unavailable",
     "The store cannot be written now; nothing was changed"},
    {ProblemType::not_ready, 503, "not-ready", "This node should not be sent traffic now"},
}};

const TypeInfo& info(ProblemType type) {
  for (const auto& t : kTypes)
    if (t.type == type) return t;
  throw std::logic_error("problem type without description");
}

}  // namespace

int httpStatus(ProblemType type) {
  return info(type).status;
}
std::string typeUri(ProblemType type) {
  return std::string("urn:passerelle:problem:") + info(type).name;
}
std::string title(ProblemType type) {
  return info(type).title;
}

namespace {
Problem problemOfKind(const core::DomainError& error) {
  switch (error.kind()) {
    case core::ErrorKind::invalid_input:
      return {ProblemType::malformed_request, error.what(), {}};
    case core::ErrorKind::validation_failed:
      return {ProblemType::validation_failed, error.what(), error.fieldErrors()};
    case core::ErrorKind::not_found:
      return {ProblemType::not_found, error.what(), {}};
    case core::ErrorKind::forbidden:
      return {ProblemType::forbidden, error.what(), error.fieldErrors()};
    case core::ErrorKind::conflict:
      return {ProblemType::conflict, error.what(), error.fieldErrors()};
    case core::ErrorKind::precondition_failed:
      return {ProblemType::precondition_failed, error.what(), {}};
    case core::ErrorKind::gone:
      return {ProblemType::gone, error.what(), {}};
    case core::ErrorKind::integrity:
      return {ProblemType::integrity_error, error.what(), {}};
    case core::ErrorKind::unavailable:
      return {ProblemType::store_unavailable, error.what(), {}};
  }
  return {ProblemType::internal_error, "unclassified error", {}};
}
}  // namespace

Problem problemOf(const core::DomainError& error) {
  auto problem = problemOfKind(error);
  problem.members = error.members();
  return problem;
}

audit::AuditDecision refusalDecision(int status) {
  if (status == 401 || status == 403 || status == 404) return audit::AuditDecision::deny;
  if (status >= 500) return audit::AuditDecision::error;
  return audit::AuditDecision::invalid;
}

int httpStatus(const core::DomainError& error) {
  return httpStatus(problemOfKind(error).type);
}

nlohmann::json problemBody(const Problem& problem, const std::string& request_id) {
  nlohmann::json body = {{"type", typeUri(problem.type)},
                         {"title", title(problem.type)},
                         {"status", httpStatus(problem.type)},
                         {"detail", problem.detail},
                         {"instance", "urn:passerelle:request:" + request_id}};
  for (const auto& [key, value] : problem.members) body[key] = value;
  if (!problem.errors.empty()) {
    auto& errors = body["errors"] = nlohmann::json::array();
    for (const auto& e : problem.errors)
      errors.push_back({{"pointer", e.pointer}, {"rule", e.rule}, {"detail", e.message}});
  }
  return body;
}

}  // namespace passerelle::gateway
