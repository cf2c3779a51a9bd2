#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "passerelle/store/dossier_store.hpp"

namespace passerelle::app {

// The SPIE indicators (policies/indicators.hpp) over every dossier, small cells hidden.
// Thread-safe.
class IndicatorReport {
 public:
  explicit IndicatorReport(const store::DossierStore& dossiers) : dossiers_(dossiers) {}

  // Over [from, to] (YYYY-MM-DD) as of `as_of` (default today). Throws core::DomainError
  // (invalid_input) for dates that are not dates or out of order.
  nlohmann::ordered_json compute(const std::string& from, const std::string& to,
                                 const std::optional<std::string>& as_of = std::nullopt) const;

 private:
  const store::DossierStore& dossiers_;
};

}  // namespace passerelle::app
