#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "passerelle/app/application.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/gateway/server.hpp"

namespace passerelle::gateway {

// What the HTTP routes call: the application's services and use cases, one reference each.
struct Services {
  // What the policy lets a partner do beyond fields (policies::Capability): routes ask it.
  const dossiers::AccessGuard& guard;
  dossiers::DossierService& dossiers;
  dossiers::RelationshipService& relationships;
  dossiers::ConsentService& consents;
  dossiers::ReconciliationService& reconciliation;
  const policies::PartnerRegistry& registry;
  // Builds and records every request's entry (app/audit_recorder.hpp).
  app::AuditRecorder& audit;
  audit::AuditLog& audit_log;  // searches, proofs, checkpoints
  // Reloads the sharing policy; returns the new version, or throws policies::PolicyError and
  // keeps the one in force.
  std::function<std::string()> reload_policy;
  app::ExportOrders& export_orders;
  app::ExportJobs& exports;  // in the background (POST /v1/exports)
  const app::IndicatorReport& indicators;
  app::Imports& imports;
  std::filesystem::path import_spool;         // where request bodies are written while imported
  const store::WebhookStore& webhook_outbox;  // delivery attempts, for GET /v1/webhooks/...
  app::ReadinessProbe& readiness;             // GET /readyz
};

// A whole gateway node: the application opened from the configuration, served over HTTPS.
// Not copyable; start(), stop() and reloadPolicy() from one controlling thread.
class Gateway {
 public:
  // Opens the application (app::Application's errors) and prepares the server.
  explicit Gateway(const GatewayConfig& config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Serves, and starts the application's background work.
  void start();
  void stop();
  std::uint16_t port() const { return server_->port(); }

  app::Application& app() { return app_; }
  const app::Application& app() const { return app_; }

 private:
  app::Application app_;
  Services services_;
  std::unique_ptr<GatewayServer> server_;
};

}  // namespace passerelle::gateway
