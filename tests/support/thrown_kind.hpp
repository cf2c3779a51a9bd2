#pragma once

#include <gtest/gtest.h>

#include <optional>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::testing {

// The kind of core::DomainError that `call` throws; a test failure (and nothing) if it throws
// something else or nothing.
template <typename Call>
std::optional<core::ErrorKind> thrownKind(Call call) {
  try {
    call();
  } catch (const core::DomainError& e) {
    return e.kind();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not a DomainError: " << e.what();
    return std::nullopt;
  }
  ADD_FAILURE() << "nothing thrown";
  return std::nullopt;
}

}  // namespace passerelle::testing
