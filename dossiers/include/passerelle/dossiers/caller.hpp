#pragma once

#include "passerelle/core/purpose.hpp"
#include "passerelle/policies/partner.hpp"

namespace passerelle::dossiers {

// Who asks, and for which declared purpose: every use case on personal data takes one. The
// partner must outlive the call.
struct Caller {
  const policies::Partner& partner;
  core::Purpose purpose;
};

}  // namespace passerelle::dossiers
