// The audit log's health for the DPO (docs/console.md): its state, a full verification, and the
// refused requests counted by period, partner and action.
#include "passerelle/app/log_integrity.hpp"
#include "passerelle/app/refusal_summary.hpp"
#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/core/utc_time.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace {

// What these routes call, and nothing else.
struct IntegrityRouteServices {
  const dossiers::AccessGuard& guard;
  const policies::PartnerRegistry& registry;
  const audit::AuditLog& audit_log;
  app::LogIntegrity& integrity;
};

using nlohmann::json;

constexpr std::uint64_t kMaxCheckpoints = 100;
constexpr std::size_t kMaxProblems = 20;

void requireSearch(IntegrityRouteServices& services, ApiRequest& request) {
  services.guard.require(*request.caller().partner, policies::Capability::audit_search,
                         "look at the audit log");
}

ApiResponse integrityState(IntegrityRouteServices& services, ApiRequest& request) {
  requireSearch(services, request);
  const auto params = queryParams(request, {"checkpoints"});
  const auto count = wholeNumberParam(params, "checkpoints", kMaxCheckpoints).value_or(10);
  const auto state = services.integrity.state(count);
  json checkpoints = json::array();
  for (const auto& row : state.checkpoints)
    checkpoints.push_back(audit::Checkpoint::fromRow(row).toJson());
  json last = nullptr;
  if (const auto& v = state.last_verification) {
    last = {{"entry", v->index}, {"time", v->time}, {"partner", v->partner}};
    for (const auto& [name, value] : v->details) last[name] = value;
  }
  return {200,
          json{{"log_id", services.audit_log.logId()},
               {"public_key", services.audit_log.publicKeyHex()},
               {"entries", state.entries},
               {"pruned_entries", state.pruned},
               {"retention_months", state.retention_months},
               {"checkpoints", checkpoints},
               {"last_verification", last}},
          {}};
}

ApiResponse verifyLog(IntegrityRouteServices& services, ApiRequest& request) {
  requireSearch(services, request);
  queryParams(request, {});
  const auto started = core::nowUtc();
  const auto report = services.integrity.verify();
  // The result is the entry's own details, so that the log keeps when it was last verified.
  auto& details = request.audit().details;
  details["result"] = report.ok() ? "ok" : "failed";
  details["verified_entries"] = std::to_string(report.entries);
  details["pruned_entries"] = std::to_string(report.pruned);
  details["checkpoints"] = std::to_string(report.checkpoints);
  details["problems"] = std::to_string(report.problems.size());
  if (report.first_bad_entry) details["first_bad_entry"] = std::to_string(*report.first_bad_entry);
  json problems = json::array();
  for (std::size_t i = 0; i < report.problems.size() && i < kMaxProblems; ++i)
    problems.push_back(report.problems[i]);
  json out = {{"started_at", started},
              {"result", details["result"]},
              {"verified_entries", report.entries},
              {"pruned_entries", report.pruned},
              {"checkpoints", report.checkpoints},
              {"problems", problems},
              {"problem_count", report.problems.size()}};
  if (report.first_bad_entry) out["first_bad_entry"] = *report.first_bad_entry;
  return {200, out, {}};
}

ApiResponse refusals(IntegrityRouteServices& services, ApiRequest& request) {
  requireSearch(services, request);
  const auto params = queryParams(request, {"from", "to", "period"});
  auto bound = [&](const char* name, const core::UtcTime& otherwise) {
    const auto it = params.find(name);
    if (it == params.end()) return otherwise;
    const auto time = core::parseUtc(it->second);
    if (!time) badParameter(std::string(name) + " must be a date or an ISO 8601 date-time");
    return *time;
  };
  const auto to = bound("to", core::nowUtc());
  const auto from = bound("from", core::monthsBefore(to, 1));
  if (from >= to) badParameter("from must come before to");
  const auto it = params.find("period");
  const std::string period = it == params.end() ? "day" : it->second;
  if (period != "day" && period != "hour") badParameter("period must be day or hour");
  const auto summary =
      app::summarizeRefusals(services.audit_log.store(), from, to,
                             period == "hour" ? app::RefusalPeriod::hour : app::RefusalPeriod::day);
  json counts = json::array();
  for (const auto& c : summary.counts) {
    const auto* partner =
        c.partner.empty() ? nullptr : services.registry.byId(core::PartnerId(c.partner));
    const auto action = audit::parseAuditAction(c.action);
    counts.push_back(
        {{"period", c.period},
         {"partner", c.partner},
         {"partner_name", partner             ? partner->name
                          : c.partner.empty() ? "non authentifié"
                                              : c.partner},
         {"action", c.action},
         {"action_label", action ? std::string(audit::frenchLabel(*action)) : c.action},
         {"decision", c.decision},
         {"count", c.count}});
  }
  auto& details = request.audit().details;
  details["from"] = from;
  details["to"] = to;
  details["period"] = period;
  details["refusals"] = std::to_string(summary.total);
  return {200,
          json{{"from", from},
               {"to", to},
               {"period", period},
               {"total", summary.total},
               {"truncated", summary.truncated},
               {"counts", counts}},
          {}};
}

}  // namespace

void addAuditIntegrityRoutes(Router& router, const dossiers::AccessGuard& guard,
                             const policies::PartnerRegistry& registry,
                             const audit::AuditLog& audit_log, app::LogIntegrity& integrity) {
  const auto services = std::make_shared<IntegrityRouteServices>(
      IntegrityRouteServices{guard, registry, audit_log, integrity});
  auto bindTo = [services](auto fn) { return bindRoute(services, fn); };
  using audit::AuditAction;
  router.add({"GET", "/v1/audit/integrity", true, false, bindTo(&integrityState),
              AuditAction::audit_integrity});
  router.add({"POST", "/v1/audit/verifications", true, false, bindTo(&verifyLog),
              AuditAction::audit_verify});
  router.add(
      {"GET", "/v1/audit/refusals", true, false, bindTo(&refusals), AuditAction::audit_refusals});
}

}  // namespace passerelle::gateway
