// GET /v1/indicators: the SPIE indicators, aggregated, small cells hidden.
#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/problem.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct IndicatorRouteServices {
  const dossiers::AccessGuard& guard;
  const app::IndicatorReport& indicators;
};

ApiResponse getIndicators(IndicatorRouteServices& services, ApiRequest& request) {
  services.guard.require(*request.caller().partner, policies::Capability::indicators,
                         "read the indicators");
  const auto params = queryParams(request, {"from", "to"});
  for (const char* name : {"from", "to"})
    if (params.count(name) == 0) badParameter(std::string(name) + " is required (YYYY-MM-DD)");
  try {
    auto result = services.indicators.compute(params.at("from"), params.at("to"));
    // Recorded once they proved to be dates: no client text reaches the log.
    request.audit().details["from"] = params.at("from");
    request.audit().details["to"] = params.at("to");
    return {200, std::move(result), {}};
  } catch (const core::DomainError& e) {
    badParameter(e.what());
  }
}

}  // namespace

void addIndicatorRoutes(Router& router, const dossiers::AccessGuard& guard,
                        const app::IndicatorReport& indicators) {
  const auto services =
      std::make_shared<IndicatorRouteServices>(IndicatorRouteServices{guard, indicators});
  router.add({"GET", "/v1/indicators", true, false, bindRoute(services, &getIndicators),
              audit::AuditAction::indicators_read});
}

}  // namespace passerelle::gateway
