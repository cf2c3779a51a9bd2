// Relationships, consents and the policy in force.
#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/problem.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct AccessRouteServices {
  const dossiers::AccessGuard& guard;
  dossiers::RelationshipService& relationships;
  dossiers::ConsentService& consents;
  std::function<std::string()> reload_policy;
};

using nlohmann::json;

json recordedJson(const dossiers::RecordedConsent& recorded,
                  const std::vector<core::ConsentRecord>& all) {
  return {{"consent", dossiers::consentJson(recorded.record, all, core::nowUtc())},
          {"receipt", recorded.receipt}};
}

ApiResponse listRelationships(AccessRouteServices& services, ApiRequest& request) {
  const auto now = core::nowUtc();
  json list = json::array();
  for (const auto& r : services.relationships.list(callerOf(request), dossierIdParam(request)))
    list.push_back(dossiers::relationshipJson(r, now));
  return {200, json{{"relationships", list}}, {}};
}

ApiResponse attachRelationship(AccessRouteServices& services, ApiRequest& request) {
  const auto id = dossierIdParam(request);
  const auto body = request.jsonBody();
  const auto r = services.relationships.attach(callerOf(request), id, body);
  request.audit().details["relationship"] = r.id;
  request.audit().details["attached_partner"] = r.partner.str();
  ApiResponse response{201, dossiers::relationshipJson(r, core::nowUtc()), {}};
  response.headers["Location"] = "/v1/dossiers/" + id.str() + "/relationships/" + r.id;
  return response;
}

ApiResponse endRelationship(AccessRouteServices& services, ApiRequest& request) {
  const auto id = dossierIdParam(request);
  request.audit().details["relationship"] = core::auditableId('r', request.pathParam("rid"));
  services.relationships.end(callerOf(request), id, request.pathParam("rid"));
  return {204, std::nullopt, {}};
}

ApiResponse listConsents(AccessRouteServices& services, ApiRequest& request) {
  const auto all = services.consents.list(callerOf(request), dossierIdParam(request));
  const auto now = core::nowUtc();
  json list = json::array();
  for (const auto& c : all) list.push_back(dossiers::consentJson(c, all, now));
  return {200, json{{"consents", list}}, {}};
}

ApiResponse recordConsent(AccessRouteServices& services, ApiRequest& request) {
  const auto id = dossierIdParam(request);
  const auto body = request.jsonBody();
  const auto recorded = services.consents.record(callerOf(request), id, body);
  request.audit().details["consent"] = recorded.record.id;
  ApiResponse response{201, recordedJson(recorded, {recorded.record}), {}};
  response.headers["Location"] = "/v1/consents/" + recorded.record.id;
  return response;
}

// A withdrawal or a re-affirmation: a new record about a consent given.
ApiResponse followConsent(AccessRouteServices& services, ApiRequest& request, bool withdrawal) {
  const auto body = request.jsonBody();
  request.audit().details["consent"] = core::auditableId('c', request.pathParam("cid"));
  const auto caller = callerOf(request);
  const auto recorded = withdrawal
                            ? services.consents.withdraw(caller, request.pathParam("cid"), body)
                            : services.consents.reaffirm(caller, request.pathParam("cid"), body);
  request.audit().person = recorded.record.dossier;
  return {201, recordedJson(recorded, {recorded.record}), {}};
}

ApiResponse withdrawConsent(AccessRouteServices& services, ApiRequest& request) {
  return followConsent(services, request, true);
}

ApiResponse reaffirmConsent(AccessRouteServices& services, ApiRequest& request) {
  return followConsent(services, request, false);
}

ApiResponse reloadPolicy(AccessRouteServices& services, ApiRequest& request) {
  services.guard.require(*request.caller().partner, policies::Capability::policy_reload,
                         "reload the sharing policy");
  try {
    const auto version = services.reload_policy();
    request.audit().policy_version = version;
    return {200, json{{"policy_version", version}}, {}};
  } catch (const policies::PolicyError& e) {
    // The policy in force stays; the message names the file and rule at fault.
    throw ProblemException({ProblemType::validation_failed,
                            std::string(e.what()) + " — the policy in force is unchanged",
                            {}});
  }
}

}  // namespace

void addAccessRoutes(Router& router, const dossiers::AccessGuard& guard,
                     dossiers::RelationshipService& relationships,
                     dossiers::ConsentService& consents,
                     std::function<std::string()> reload_policy) {
  const auto services = std::make_shared<AccessRouteServices>(
      AccessRouteServices{guard, relationships, consents, std::move(reload_policy)});
  auto bindTo = [services](auto fn) { return bindRoute(services, fn); };
  using audit::AuditAction;
  router.add({"GET", "/v1/dossiers/{id}/relationships", true, true, bindTo(&listRelationships),
              AuditAction::relationship_list});
  router.add({"POST", "/v1/dossiers/{id}/relationships", true, true, bindTo(&attachRelationship),
              AuditAction::relationship_attach});
  router.add({"DELETE", "/v1/dossiers/{id}/relationships/{rid}", true, true,
              bindTo(&endRelationship), AuditAction::relationship_end});
  router.add({"GET", "/v1/dossiers/{id}/consents", true, true, bindTo(&listConsents),
              AuditAction::consent_list});
  router.add({"POST", "/v1/dossiers/{id}/consents", true, true, bindTo(&recordConsent),
              AuditAction::consent_record});
  router.add({"POST", "/v1/consents/{cid}/withdraw", true, true, bindTo(&withdrawConsent),
              AuditAction::consent_withdraw});
  router.add({"POST", "/v1/consents/{cid}/reaffirm", true, true, bindTo(&reaffirmConsent),
              AuditAction::consent_reaffirm});
  router.add({"POST", "/v1/admin/policy/reload", true, false, bindTo(&reloadPolicy),
              AuditAction::policy_reload});
}

}  // namespace passerelle::gateway
