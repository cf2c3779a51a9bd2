#pragma once

#include <map>
#include <set>
#include <string>

#include "passerelle/dossiers/caller.hpp"
#include "router.hpp"

namespace passerelle::gateway {

struct Services;

// A route's function, and the handler that calls it with the services.
using RouteFunction = ApiResponse (*)(Services&, ApiRequest&);
Handler bindRoute(Services& services, RouteFunction fn);

// Registers the /v1/dossiers endpoints (DESIGN §8). The services must outlive the router.
void addDossierRoutes(Router& router, Services& services);

// Registers relationships, consents and policy endpoints. The services must outlive the router.
void addAccessRoutes(Router& router, Services& services);

// Registers the audit log endpoints (DESIGN §5). The services must outlive the router.
void addAuditRoutes(Router& router, Services& services);

// Registers POST /v1/exports and GET /v1/exports/{id}[/files/{name}]. The services must outlive
// the router.
void addExportRoutes(Router& router, Services& services);

// Registers GET /v1/indicators. The services must outlive the router.
void addIndicatorRoutes(Router& router, Services& services);

// Registers GET /v1/changes and GET /v1/webhooks/deliveries. The services must outlive the
// router.
void addFeedRoutes(Router& router, Services& services);

// Registers POST /v1/imports/{format}. The services must outlive the router.
void addImportRoutes(Router& router, Services& services);
// GET /v1/reconciliation, POST /v1/reconciliation/{case}.
void addReconciliationRoutes(Router& router, Services& services);

// A 400 malformed-request problem saying what is wrong with the query.
[[noreturn]] void badParameter(const std::string& detail);

// Query parameters by name; each at most once, and only the names listed (else 400).
std::map<std::string, std::string> queryParams(const ApiRequest& request,
                                               const std::set<std::string>& allowed);

// The authenticated partner and its declared purpose, as the services take them.
dossiers::Caller callerOf(const ApiRequest& request);

// The dossier id of the path, or not_found if it cannot be one. Notes the person for the audit
// log, so that even a refused request is logged against the dossier it aimed at.
core::DossierId dossierIdParam(ApiRequest& request);

}  // namespace passerelle::gateway
