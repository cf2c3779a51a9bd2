#include "passerelle/core/domain_error.hpp"

#include <utility>

namespace passerelle::core {

DomainError::DomainError(ErrorKind kind, const std::string& message, std::vector<FieldError> fields)
    : std::runtime_error(message), kind_(kind), fields_(std::move(fields)) {}

}  // namespace passerelle::core
