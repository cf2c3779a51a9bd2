#pragma once

#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/consent.hpp"

namespace passerelle::store {

// Persistence of consent records, append-only. Safe for concurrent use from request threads.
class ConsentStore {
 public:
  virtual ~ConsentStore() = default;

  // Appends a record (a consent given, or a withdrawal); its dossier must exist.
  virtual void addConsent(const core::ConsentRecord& record) = 0;

  // Every record of the dossier, in the order they were recorded.
  virtual std::vector<core::ConsentRecord> consents(const core::DossierId& dossier) const = 0;

  virtual std::optional<core::ConsentRecord> consent(const std::string& id) const = 0;
};

}  // namespace passerelle::store
