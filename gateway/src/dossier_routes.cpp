#include <Poco/String.h>

#include "passerelle/core/numbers.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "passerelle/gateway/problem.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct DossierRouteServices {
  dossiers::DossierService& dossiers;
  app::ReadinessProbe& readiness;
};

using nlohmann::json;

std::string etagOf(std::int64_t version) {
  return "\"" + std::to_string(version) + "\"";
}

json versionJson(const store::VersionInfo& v) {
  return {{"version", v.version},
          {"etag", etagOf(v.version)},
          {"author", v.author},
          {"source", v.source},
          {"written_at", v.written_at}};
}

core::Section sectionParam(const ApiRequest& request) {
  auto section = core::parseSection(request.pathParam("section"));
  if (!section)
    throw ProblemException({ProblemType::not_found, "a dossier has no section of that name", {}});
  return *section;
}

json withheldJson(const std::vector<policies::WithheldField>& withheld) {
  json out = json::array();
  for (const auto& w : withheld)
    out.push_back({{"path", w.path}, {"reason", std::string(policies::toString(w.reason))}});
  return out;
}

// If-Match: "<version>" or *; If-None-Match: * (create only). Anything else is refused rather
// than ignored, since a writer that sends a precondition relies on it.
store::Precondition preconditionOf(ApiRequest& request) {
  auto& http = request.http();
  if (http.has("If-Match") && http.has("If-None-Match"))
    throw ProblemException(
        {ProblemType::malformed_request, "send If-Match or If-None-Match, not both", {}});
  if (http.has("If-None-Match")) {
    if (Poco::trim(http.get("If-None-Match")) != "*")
      throw ProblemException(
          {ProblemType::malformed_request, "on PUT, If-None-Match only accepts *", {}});
    return store::Precondition::mustBeAbsent();
  }
  if (!http.has("If-Match")) return store::Precondition::any();
  const std::string value = Poco::trim(http.get("If-Match"));
  if (value == "*") return store::Precondition::mustBePresent();
  if (value.size() >= 3 && value.front() == '"' && value.back() == '"') {
    if (const auto version =
            core::parseWholeNumber(std::string_view(value).substr(1, value.size() - 2), INT64_MAX))
      return store::Precondition::mustBeVersion(static_cast<std::int64_t>(*version));
  }
  // A weak or foreign tag never matches a strong comparison (RFC 9110 §13.1.1).
  throw ProblemException(
      {ProblemType::precondition_failed, "If-Match does not name a version of this section", {}});
}

ApiResponse createDossier(DossierRouteServices& services, ApiRequest& request) {
  const auto body = request.jsonBody();
  const auto result = services.dossiers.createOrMatch(callerOf(request), body, "api");
  request.audit().person = result.id;
  request.audit().recordWrite(result.decision);
  if (result.matched) {
    request.audit().action = audit::AuditAction::dossier_match;
    request.audit().details["matched_on"] = std::string(core::toString(*result.matched_on));
  }
  json out = {{"id", result.id.str()}, {"matched", result.matched}};
  if (result.matched_on) out["matched_on"] = std::string(core::toString(*result.matched_on));
  json sections = json::object();
  for (const auto& v : result.written)
    sections[std::string(core::toString(v.section))] = versionJson(v);
  out["sections"] = sections;
  ApiResponse response{result.matched ? 200 : 201, out, {}};
  response.headers["Location"] = "/v1/dossiers/" + result.id.str();
  response.headers["X-Policy-Version"] = result.decision.policy_version;
  return response;
}

ApiResponse findDossier(DossierRouteServices& services, ApiRequest& request) {
  std::optional<core::Identifier> identifier;
  for (const auto& [name, value] : request.query()) {
    const auto kind = core::parseIdentifierKind(name);
    if (!kind)
      throw ProblemException(
          {ProblemType::malformed_request,
           "unknown lookup parameter; use nir, caf, france_travail or departement",
           {}});
    if (identifier)
      throw ProblemException(
          {ProblemType::malformed_request, "look up by exactly one identifier", {}});
    identifier = dossiers::parseQueryIdentifier(*kind, value);
  }
  if (!identifier)
    throw ProblemException({ProblemType::malformed_request,
                            "give one of nir, caf, france_travail or departement",
                            {}});
  request.audit().details["identifier"] = std::string(core::toString(identifier->kind));
  const auto id = services.dossiers.lookup(callerOf(request), *identifier);
  request.audit().person = id;
  return {200, json{{"id", id.str()}}, {}};
}

ApiResponse getDossier(DossierRouteServices& services, ApiRequest& request) {
  auto view = services.dossiers.read(callerOf(request), dossierIdParam(request));
  request.audit().recordRead(view.decision);
  json versions = json::object();
  for (const auto& v : view.versions)
    versions[std::string(core::toString(v.section))] = versionJson(v);
  ApiResponse response{200,
                       json{{"id", view.id.str()},
                            {"sections", std::move(view.sections)},
                            {"versions", std::move(versions)},
                            {"withheld", withheldJson(view.withheld)},
                            {"policy_version", view.decision.policy_version}},
                       {}};
  response.headers["X-Policy-Version"] = view.decision.policy_version;
  return response;
}

ApiResponse getSection(DossierRouteServices& services, ApiRequest& request) {
  const auto id = dossierIdParam(request);
  auto section = services.dossiers.readSection(callerOf(request), id, sectionParam(request));
  request.audit().recordRead(section.decision);
  ApiResponse response{200, std::move(section.content), {}};
  response.headers["ETag"] = etagOf(section.info.version);
  response.headers["X-Policy-Version"] = section.decision.policy_version;
  // The body is the section document itself; what was held back is said in a header.
  std::string withheld;
  for (const auto& w : section.withheld)
    withheld += (withheld.empty() ? "" : ", ") + w.path +
                ";reason=" + std::string(policies::toString(w.reason));
  if (!withheld.empty()) response.headers["X-Withheld"] = withheld;
  return response;
}

ApiResponse putSection(DossierRouteServices& services, ApiRequest& request) {
  const auto id = dossierIdParam(request);
  const auto section = sectionParam(request);
  const auto precondition = preconditionOf(request);
  const auto body = request.jsonBody();
  const auto result =
      services.dossiers.writeSection(callerOf(request), id, section, body, precondition, "api");
  request.audit().recordWrite(result.decision);
  request.audit().details["version"] = std::to_string(result.put.info.version);
  json out = versionJson(result.put.info);
  out["section"] = std::string(core::toString(section));
  out["changed"] = result.put.changed;
  ApiResponse response{result.put.changed && result.put.info.version == 1 ? 201 : 200, out, {}};
  response.headers["ETag"] = etagOf(result.put.info.version);
  response.headers["X-Policy-Version"] = result.decision.policy_version;
  return response;
}

ApiResponse eraseDossier(DossierRouteServices& services, ApiRequest& request) {
  const auto id = dossierIdParam(request);
  services.dossiers.erase(callerOf(request), id, request.jsonBody());
  return {204, std::nullopt, {}};
}

ApiResponse history(DossierRouteServices& services, ApiRequest& request) {
  const auto id = dossierIdParam(request);
  json versions = json::array();
  for (const auto& v : services.dossiers.history(callerOf(request), id)) {
    auto entry = versionJson(v);
    entry["section"] = std::string(core::toString(v.section));
    entry["content_hash"] = v.content_hash;
    versions.push_back(entry);
  }
  return {200, json{{"id", id.str()}, {"versions", versions}}, {}};
}

}  // namespace

std::optional<std::uint64_t> wholeNumberParam(const std::map<std::string, std::string>& params,
                                              const std::string& name, std::uint64_t max) {
  const auto it = params.find(name);
  if (it == params.end()) return std::nullopt;
  const auto value = core::parseWholeNumber(it->second, max);
  if (!value) badParameter(name + " must be a whole number from 0 to " + std::to_string(max));
  return value;
}

dossiers::Caller callerOf(const ApiRequest& request) {
  return {*request.caller().partner, *request.purpose()};
}

core::DossierId dossierIdParam(ApiRequest& request) {
  auto id = core::DossierId::parse(request.pathParam("id"));
  if (!id) throw ProblemException({ProblemType::not_found, "no such dossier", {}});
  request.audit().person = *id;
  return *id;
}

void addDossierRoutes(Router& router, dossiers::DossierService& dossiers,
                      app::ReadinessProbe& readiness) {
  const auto services =
      std::make_shared<DossierRouteServices>(DossierRouteServices{dossiers, readiness});
  auto bindTo = [services](auto fn) { return bindRoute(services, fn); };
  using audit::AuditAction;
  router.add(
      {"POST", "/v1/dossiers", true, true, bindTo(&createDossier), AuditAction::dossier_create});
  router.add(
      {"GET", "/v1/dossiers", true, true, bindTo(&findDossier), AuditAction::dossier_lookup});
  router.add(
      {"GET", "/v1/dossiers/{id}", true, true, bindTo(&getDossier), AuditAction::dossier_read});
  router.add({"GET", "/v1/dossiers/{id}/sections/{section}", true, true, bindTo(&getSection),
              AuditAction::section_read});
  router.add({"PUT", "/v1/dossiers/{id}/sections/{section}", true, true, bindTo(&putSection),
              AuditAction::section_write});
  router.add({"DELETE", "/v1/dossiers/{id}", true, false, bindTo(&eraseDossier),
              AuditAction::dossier_erase});
  router.add({"GET", "/v1/dossiers/{id}/history", true, true, bindTo(&history),
              AuditAction::history_read});
  // Liveness only: no caller, no data, not logged.
  router.add({"GET", "/healthz", false, false,
              [](ApiRequest&) {
                return ApiResponse{200, json{{"status", "ok"}}, {}};
              },
              std::nullopt});
  // Readiness: whether the parts a request needs work now (readiness.hpp). No caller, no
  // personal data, not logged; reason codes only, never a path or a message.
  router.add(
      {"GET", "/readyz", false, false,
       [services](ApiRequest& request) {
         const auto report = services->readiness.check();
         if (report.ready()) {
           json body{{"status", "ready"}, {"policy_version", report.policy_version}};
           if (report.policy_in_force) body["policy_in_force"] = *report.policy_in_force;
           return ApiResponse{200, std::move(body)};
         }
         auto body = problemBody(
             {ProblemType::not_ready, "this node cannot serve requests now; see reasons", {}},
             request.id().str());
         body["reasons"] = report.reasons;
         body["policy_version"] = report.policy_version;
         if (report.policy_in_force) body["policy_in_force"] = *report.policy_in_force;
         ApiResponse response{httpStatus(ProblemType::not_ready), std::move(body)};
         response.content_type = "application/problem+json";
         return response;
       },
       std::nullopt});
}

}  // namespace passerelle::gateway
