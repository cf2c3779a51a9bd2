// Exports for évaluateurs over HTTP: ask (POST, run in the background), follow, fetch the files.
#include <algorithm>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/gateway/problem.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct ExportRouteServices {
  const dossiers::AccessGuard& guard;
  app::ExportOrders& export_orders;
  app::ExportJobs& exports;
};

using nlohmann::json;

[[noreturn]] void invalidField(const std::string& field, const std::string& rule,
                               const std::string& message) {
  throw core::DomainError(core::ErrorKind::validation_failed, "the export request is invalid",
                          {{"/" + field, rule, message}});
}

std::optional<std::string> optionalText(const json& body, const char* key) {
  if (!body.contains(key) || body[key].is_null()) return std::nullopt;
  if (!body[key].is_string()) invalidField(key, "type", "must be a string");
  return body[key].get<std::string>();
}

std::optional<std::string> optionalDate(const json& body, const char* key) {
  auto text = optionalText(body, key);
  if (text && !core::isCalendarDate(*text))
    invalidField(key, "format", "must be a date YYYY-MM-DD");
  return text;
}

ApiResponse requestExport(ExportRouteServices& services, ApiRequest& request) {
  const auto& partner = *request.caller().partner;
  services.guard.require(partner, policies::Capability::exports, "ask for exports");
  const auto body = request.jsonBody();
  if (!body.is_object()) invalidField("", "type", "the body must be an object");
  for (const auto& [key, value] : body.items())
    if (key != "profile" && key != "study" && key != "from" && key != "to" &&
        key != "reference_date" && key != "survey_contact")
      invalidField(key, "additionalProperties", "is not a field of an export request");
  const auto profile = optionalText(body, "profile");
  const auto study = optionalText(body, "study");
  if (!study) invalidField("study", "required", "the study's id, as the registry names it");
  if (!profile) invalidField("profile", "required", "annexe-e, indicateurs, ...");
  if (body.contains("survey_contact") && !body["survey_contact"].is_boolean())
    invalidField("survey_contact", "type", "must be true or false");
  app::ExportOrder order{partner.id,
                         request.presentedCredential(),
                         *study,
                         *profile,
                         optionalDate(body, "from"),
                         optionalDate(body, "to"),
                         optionalDate(body, "reference_date"),
                         body.value("survey_contact", false)};
  services.export_orders.check(order);  // a refusal now, rather than a failed export later
  const auto id = services.exports.submit(order);
  request.audit().details = {{"export", id}, {"study", *study}, {"profile", *profile}};
  ApiResponse response{
      202, json{{"id", id}, {"status", "queued"}, {"href", "/v1/exports/" + id}}, {}};
  response.headers["Location"] = "/v1/exports/" + id;
  return response;
}

// The export's status, if the caller may see it: the évaluateur who asked, or the DPO.
json visibleStatus(ExportRouteServices& services, ApiRequest& request, bool owner_only) {
  const auto id = request.pathParam("id");
  // Export ids are 32 hex digits (ExportJobs::submit); anything else is recorded as invalid.
  const bool well_formed = id.size() == 32 && std::all_of(id.begin(), id.end(), [](char c) {
                             return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                           });
  request.audit().details["export"] = well_formed ? id : "invalid";
  const auto status = services.exports.status(id);
  const auto& partner = *request.caller().partner;
  const bool owner = status && (*status)["partner"] == partner.id.str();
  const bool dpo =
      services.guard.may(partner, policies::Capability::exports_any_status) && !owner_only;
  // Someone else's export does not exist, as far as the caller can tell.
  if (!status || (!owner && !dpo))
    throw core::DomainError(core::ErrorKind::not_found, "no such export");
  return *status;
}

ApiResponse exportStatus(ExportRouteServices& services, ApiRequest& request) {
  auto status = visibleStatus(services, request, false);
  if (status["status"] == "done") {
    json files =
        json::array({"/v1/exports/" + status["id"].get<std::string>() + "/files/manifest.json"});
    for (const auto& f : status["manifest"]["files"])
      files.push_back("/v1/exports/" + status["id"].get<std::string>() + "/files/" +
                      f["name"].get<std::string>());
    status["files"] = files;
  }
  return {200, status, {}};
}

// The latest exports the caller may follow: its own, or everyone's for the kinds that follow any
// (the DPO); forbidden for the others.
ApiResponse listExports(ExportRouteServices& services, ApiRequest& request) {
  const auto& partner = *request.caller().partner;
  const bool any = services.guard.may(partner, policies::Capability::exports_any_status);
  if (!any) services.guard.require(partner, policies::Capability::exports, "follow exports");
  const auto params = queryParams(request, {"limit"});
  const auto limit = wholeNumberParam(params, "limit", 200).value_or(50);
  if (limit == 0) badParameter("limit must be between 1 and 200");
  auto list = services.exports.recent(any ? std::nullopt : std::optional(partner.id), limit);
  request.audit().details["exports"] = std::to_string(list.size());
  return {200, json{{"exports", std::move(list)}}, {}};
}

ApiResponse exportFile(ExportRouteServices& services, ApiRequest& request) {
  const auto status = visibleStatus(services, request, true);
  const auto name = request.pathParam("name");
  auto content = services.exports.file(status["id"].get<std::string>(), name);
  if (!content)
    throw core::DomainError(core::ErrorKind::not_found,
                            "no such file in this export: its status lists the files");
  request.audit().details["file"] = name;
  ApiResponse response;
  response.text = std::move(*content);
  response.content_type =
      name.size() > 5 && name.substr(name.size() - 5) == ".json" ? "application/json"
      : name.size() > 3 && name.substr(name.size() - 3) == ".md" ? "text/markdown; charset=utf-8"
                                                                 : "application/octet-stream";
  response.headers["Content-Disposition"] = "attachment; filename=\"" + name + "\"";
  return response;
}

}  // namespace

void addExportRoutes(Router& router, const dossiers::AccessGuard& guard,
                     app::ExportOrders& export_orders, app::ExportJobs& exports) {
  const auto services =
      std::make_shared<ExportRouteServices>(ExportRouteServices{guard, export_orders, exports});
  router.add({"POST", "/v1/exports", true, false, bindRoute(services, &requestExport),
              audit::AuditAction::export_request});
  router.add({"GET", "/v1/exports", true, false, bindRoute(services, &listExports),
              audit::AuditAction::export_fetch});
  router.add({"GET", "/v1/exports/{id}", true, false, bindRoute(services, &exportStatus),
              audit::AuditAction::export_fetch});
  router.add({"GET", "/v1/exports/{id}/files/{name}", true, false, bindRoute(services, &exportFile),
              audit::AuditAction::export_fetch});
}

}  // namespace passerelle::gateway
