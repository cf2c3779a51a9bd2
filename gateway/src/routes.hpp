#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/app/console_sessions.hpp"
#include "passerelle/app/export_jobs.hpp"
#include "passerelle/app/export_orders.hpp"
#include "passerelle/app/imports.hpp"
#include "passerelle/app/indicator_report.hpp"
#include "passerelle/app/log_integrity.hpp"
#include "passerelle/app/readiness.hpp"
#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/dossiers/caller.hpp"
#include "passerelle/dossiers/consent_service.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/dossiers/reconciliation_service.hpp"
#include "passerelle/dossiers/relationship_service.hpp"
#include "passerelle/store/webhook_store.hpp"
#include "router.hpp"

namespace passerelle::gateway {

// A route's function over the services its group calls, bound to them for the router: the
// handler shares ownership of them.
template <typename S>
Handler bindRoute(std::shared_ptr<S> services, ApiResponse (*fn)(S&, ApiRequest&)) {
  return
      [services = std::move(services), fn](ApiRequest& request) { return fn(*services, request); };
}

// Each group registers its endpoints with what it calls and nothing else; what they are given
// must outlive the router.

// The /v1/dossiers endpoints (DESIGN §8), /healthz and /readyz.
void addDossierRoutes(Router& router, dossiers::DossierService& dossiers,
                      app::ReadinessProbe& readiness);

// Relationships, consents and policy endpoints.
void addAccessRoutes(Router& router, const dossiers::AccessGuard& guard,
                     dossiers::RelationshipService& relationships,
                     dossiers::ConsentService& consents,
                     std::function<std::string()> reload_policy);

// The audit log endpoints (DESIGN §5).
void addAuditRoutes(Router& router, const dossiers::AccessGuard& guard,
                    const policies::PartnerRegistry& registry, audit::AuditLog& audit_log,
                    app::AuditRecorder& audit);

// POST /v1/exports and GET /v1/exports/{id}[/files/{name}].
void addExportRoutes(Router& router, const dossiers::AccessGuard& guard,
                     app::ExportOrders& export_orders, app::ExportJobs& exports);

// The console's session: POST (sign in), GET, DELETE /v1/console/session.
void addConsoleRoutes(Router& router, const dossiers::AccessGuard& guard,
                      app::ConsoleSessions& sessions);

// GET /console and GET /console/{file}: the console's page and assets.
void addConsoleAssetRoutes(Router& router);

// GET /v1/openapi.json.
void addApiDescriptionRoutes(Router& router);

// GET /v1/indicators.
void addIndicatorRoutes(Router& router, const dossiers::AccessGuard& guard,
                        const app::IndicatorReport& indicators);

// GET /v1/changes and GET /v1/webhooks/deliveries.
void addFeedRoutes(Router& router, const dossiers::AccessGuard& guard,
                   dossiers::DossierService& dossiers, const store::WebhookStore& webhook_outbox);

// POST /v1/imports/{format}; request bodies are spooled in `import_spool` while imported.
void addImportRoutes(Router& router, dossiers::DossierService& dossiers, app::Imports& imports,
                     std::filesystem::path import_spool);

// GET /v1/audit/integrity, POST /v1/audit/verifications, GET /v1/audit/refusals (the DPO's
// console).
void addAuditIntegrityRoutes(Router& router, const dossiers::AccessGuard& guard,
                             const policies::PartnerRegistry& registry,
                             const audit::AuditLog& audit_log, app::LogIntegrity& integrity);

// GET /v1/reconciliation, POST /v1/reconciliation/{case}.
void addReconciliationRoutes(Router& router, dossiers::ReconciliationService& reconciliation);

// A 400 malformed-request problem saying what is wrong with the query.
[[noreturn]] void badParameter(const std::string& detail);

// The whole number (0 to `max`) in query parameter `name`, if given; a 400 naming the
// parameter and the range otherwise.
std::optional<std::uint64_t> wholeNumberParam(const std::map<std::string, std::string>& params,
                                              const std::string& name,
                                              std::uint64_t max = INT64_MAX);

// Query parameters by name; each at most once, and only the names listed (else 400).
std::map<std::string, std::string> queryParams(const ApiRequest& request,
                                               const std::set<std::string>& allowed);

// The authenticated partner and its declared purpose, as the services take them.
dossiers::Caller callerOf(const ApiRequest& request);

// The dossier id of the path, or not_found if it cannot be one. Notes the person for the audit
// log, so that even a refused request is logged against the dossier it aimed at.
core::DossierId dossierIdParam(ApiRequest& request);

}  // namespace passerelle::gateway
