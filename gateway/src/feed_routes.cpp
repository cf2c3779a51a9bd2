// GET /v1/changes: the change feed, as the calling partner may see it.
#include <charconv>

#include "passerelle/gateway/problem.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct FeedRouteServices {
  const dossiers::AccessGuard& guard;
  dossiers::DossierService& dossiers;
  const store::WebhookStore& webhook_outbox;
};

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;

nlohmann::json changeJson(const store::DossierStore::Change& c) {
  if (c.notice)
    return {{"cursor", c.sequence},
            {"notice", nlohmann::json::parse(*c.notice)},
            {"written_at", c.written_at}};
  if (c.merged_into)
    return {{"cursor", c.sequence},
            {"dossier", c.dossier.str()},
            {"merged_into", c.merged_into->str()},
            {"written_at", c.written_at}};
  return {{"cursor", c.sequence},
          {"dossier", c.dossier.str()},
          {"section", std::string(core::toString(c.section))},
          {"version", c.version},
          {"written_at", c.written_at}};
}

ApiResponse getChanges(FeedRouteServices& services, ApiRequest& request) {
  const auto params = queryParams(request, {"since", "limit"});
  const auto since = static_cast<std::int64_t>(wholeNumberParam(params, "since").value_or(0));
  const auto limit = static_cast<std::size_t>(
      wholeNumberParam(params, "limit", kMaxLimit).value_or(kDefaultLimit));
  if (limit == 0) badParameter("limit must be at least 1");
  const auto page = services.dossiers.changes(callerOf(request), since, limit);
  nlohmann::json changes = nlohmann::json::array();
  for (const auto& c : page.changes) changes.push_back(changeJson(c));
  request.audit().details = {{"since", std::to_string(since)},
                             {"next", std::to_string(page.next)},
                             {"changes", std::to_string(page.changes.size())}};
  return {200, nlohmann::json{{"changes", changes}, {"next", page.next}, {"more", page.more}}, {}};
}

nlohmann::json deliveryJson(const store::WebhookDelivery& d) {
  nlohmann::json sections = nlohmann::json::array();
  for (auto s : d.sections) sections.push_back(std::string(core::toString(s)));
  nlohmann::json out = {{"id", d.id},
                        {"partner", d.partner.str()},
                        {"dossier", d.dossier.str()},
                        {"sections", sections},
                        {"cursor", d.sequence},
                        {"created_at", d.created_at},
                        {"attempts", d.attempts},
                        {"delivered_at", nullptr},
                        {"next_attempt_at", nullptr},
                        {"last_status", nullptr},
                        {"last_error", d.last_error}};
  if (d.delivered_at)
    out["delivered_at"] = *d.delivered_at;
  else
    out["next_attempt_at"] = d.next_attempt_at;
  if (d.last_status) out["last_status"] = *d.last_status;
  if (d.notice) {
    out.erase("dossier");
    out.erase("sections");
    out["notice"] = nlohmann::json::parse(*d.notice);
  }
  return out;
}

// The Département (who runs the gateway) and the DPO see every partner's deliveries; a partner
// sees its own.
ApiResponse getDeliveries(FeedRouteServices& services, ApiRequest& request) {
  const auto& partner = *request.caller().partner;
  const bool admin = services.guard.may(partner, policies::Capability::webhook_deliveries_any);
  const auto params = queryParams(request, {"partner", "pending", "limit"});
  std::optional<core::PartnerId> whose;
  if (params.count("partner")) whose = core::PartnerId(params.at("partner"));
  if (!admin) {
    if (whose && *whose != partner.id)
      throw ProblemException(
          {ProblemType::forbidden, "a partner sees its own webhook deliveries only", {}});
    whose = partner.id;
  }
  bool pending = false;
  if (params.count("pending")) {
    if (params.at("pending") != "true" && params.at("pending") != "false")
      badParameter("pending must be true or false");
    pending = params.at("pending") == "true";
  }
  const auto limit = static_cast<std::size_t>(
      wholeNumberParam(params, "limit", kMaxLimit).value_or(kDefaultLimit));
  nlohmann::json list = nlohmann::json::array();
  for (const auto& d : services.webhook_outbox.deliveries(whose, pending, limit))
    list.push_back(deliveryJson(d));
  request.audit().details = {{"deliveries", std::to_string(list.size())}};
  return {200, nlohmann::json{{"deliveries", list}}, {}};
}

}  // namespace

void addFeedRoutes(Router& router, const dossiers::AccessGuard& guard,
                   dossiers::DossierService& dossiers, const store::WebhookStore& webhook_outbox) {
  const auto services =
      std::make_shared<FeedRouteServices>(FeedRouteServices{guard, dossiers, webhook_outbox});
  router.add({"GET", "/v1/changes", true, true, bindRoute(services, &getChanges),
              audit::AuditAction::changes_read});
  router.add({"GET", "/v1/webhooks/deliveries", true, false, bindRoute(services, &getDeliveries),
              audit::AuditAction::webhook_deliveries_read});
}

}  // namespace passerelle::gateway
