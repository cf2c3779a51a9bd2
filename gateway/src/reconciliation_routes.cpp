// Identity reconciliation: the open cases, the decided ones, and the Département's decision on
// one.
#include "passerelle/core/domain_error.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct ReconciliationRouteServices {
  dossiers::ReconciliationService& reconciliation;
};

using nlohmann::json;

ApiResponse listCases(ReconciliationRouteServices& services, ApiRequest& request) {
  const auto params = queryParams(request, {"status"});
  const auto status = params.count("status") ? params.at("status") : "open";
  if (status != "open" && status != "decided") badParameter("status must be open or decided");
  json cases = json::array();
  for (const auto& c : services.reconciliation.list(callerOf(request), status == "decided"))
    cases.push_back(dossiers::caseJson(c));
  request.audit().details["cases"] = std::to_string(cases.size());
  request.audit().details["status"] = status;
  return {200, json{{"cases", cases}}, {}};
}

ApiResponse resolveCase(ReconciliationRouteServices& services, ApiRequest& request) {
  const auto id = request.pathParam("case");
  request.audit().details["reconciliation_case"] = core::auditableId('k', id);
  const auto body = request.jsonBody();
  const auto outcome = services.reconciliation.resolve(callerOf(request), id, body);
  auto& note = request.audit();
  note.details["decision"] = outcome.decided.status;
  // Every dossier of the case gets the entry, so that each person's report shows the decision.
  for (const auto& d : outcome.decided.dossiers) {
    if (!note.person)
      note.person = d;
    else
      note.also_persons.push_back(d);
  }
  return {200, json{{"case", dossiers::caseJson(outcome.decided)}}, {}};
}

}  // namespace

void addReconciliationRoutes(Router& router, dossiers::ReconciliationService& reconciliation) {
  const auto services =
      std::make_shared<ReconciliationRouteServices>(ReconciliationRouteServices{reconciliation});
  auto bindTo = [services](auto fn) { return bindRoute(services, fn); };
  using audit::AuditAction;
  router.add({"GET", "/v1/reconciliation", true, true, bindTo(&listCases),
              AuditAction::reconciliation_list});
  router.add({"POST", "/v1/reconciliation/{case}", true, true, bindTo(&resolveCase),
              AuditAction::reconciliation_resolve});
}

}  // namespace passerelle::gateway
