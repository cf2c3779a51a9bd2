#pragma once

#include <exception>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "passerelle/app/error_table.hpp"
#include "passerelle/core/domain_error.hpp"

namespace passerelle::gateway {

// The problem types and their statuses are the application's error table (app/error_table.hpp).
using app::ProblemType;

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

// The application/problem+json body; `instance` is the request id.
nlohmann::json problemBody(const Problem& problem, const std::string& request_id);

}  // namespace passerelle::gateway
