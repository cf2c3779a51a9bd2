#include "passerelle/core/domain_error.hpp"

#include <utility>

namespace passerelle::core {

bool isRefusal(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::invalid_input:
    case ErrorKind::validation_failed:
    case ErrorKind::not_found:
    case ErrorKind::forbidden:
    case ErrorKind::conflict:
    case ErrorKind::gone:
    case ErrorKind::precondition_failed:
    case ErrorKind::unusable_file:
      return true;
    case ErrorKind::integrity:
    case ErrorKind::unavailable:
    case ErrorKind::audit_unavailable:
    case ErrorKind::configuration:
      return false;
  }
  return false;
}

DomainError::DomainError(ErrorKind kind, const std::string& message, std::vector<FieldError> fields)
    : std::runtime_error(message), kind_(kind), fields_(std::move(fields)) {}

}  // namespace passerelle::core
