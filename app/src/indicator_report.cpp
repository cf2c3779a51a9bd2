#include "passerelle/app/indicator_report.hpp"

#include "passerelle/connectors/dossier_walk.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/policies/indicators.hpp"

namespace passerelle::app {

nlohmann::ordered_json IndicatorReport::compute(const std::string& from, const std::string& to,
                                                const std::optional<std::string>& as_of) const {
  using core::DomainError;
  if (!core::isCalendarDate(from) || !core::isCalendarDate(to))
    throw DomainError(core::ErrorKind::invalid_input, "from and to must be dates YYYY-MM-DD");
  if (to < from) throw DomainError(core::ErrorKind::invalid_input, "to is before from");
  if (as_of && !core::isCalendarDate(*as_of))
    throw DomainError(core::ErrorKind::invalid_input, "as_of must be a date YYYY-MM-DD");
  policies::IndicatorCalculator calculator(policies::IndicatorDefinitions::builtin(), from, to,
                                           as_of.value_or(core::nowUtc().substr(0, 10)));
  connectors::forEachDossier(
      dossiers_,
      [&](const core::DossierId&, const std::map<core::Section, nlohmann::json>& sections) {
        calculator.add(sections);
      });
  return calculator.result();
}

}  // namespace passerelle::app
