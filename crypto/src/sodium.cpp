#include "sodium.hpp"

#include <sodium.h>

#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::crypto::detail {

void ensureSodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready)
    throw core::DomainError(core::ErrorKind::configuration, "libsodium could not be initialised");
}

}  // namespace passerelle::crypto::detail
