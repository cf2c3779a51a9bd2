#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/app/config.hpp"
#include "passerelle/app/console_sessions.hpp"
#include "passerelle/app/export_jobs.hpp"
#include "passerelle/app/export_orders.hpp"
#include "passerelle/app/imports.hpp"
#include "passerelle/app/indicator_report.hpp"
#include "passerelle/app/log_integrity.hpp"
#include "passerelle/app/process_lock.hpp"
#include "passerelle/app/readiness.hpp"
#include "passerelle/app/reconciliation_commands.hpp"
#include "passerelle/app/retention_runner.hpp"
#include "passerelle/app/webhook_dispatcher.hpp"
#include "passerelle/audit/audit_log.hpp"
#include "passerelle/audit/pending_entries.hpp"
#include "passerelle/audit/person_pseudonyms.hpp"
#include "passerelle/core/metrics.hpp"
#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/dossiers/consent_service.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/dossiers/policy_holder.hpp"
#include "passerelle/dossiers/reconciliation_service.hpp"
#include "passerelle/dossiers/relationship_service.hpp"
#include "passerelle/policies/export_profile.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/schemas/section_validator.hpp"
#include "passerelle/store/audit_store.hpp"
#include "passerelle/store/postgres_store.hpp"
#include "passerelle/store/sqlite_store.hpp"

namespace passerelle::app {

// The master key versions the configuration names (key file, else PASSERELLE_MASTER_KEY).
crypto::MasterKeys loadMasterKeys(const AppConfig& config);

// The key store the configuration names, with the master key it names; a gateway keeps serving
// while another process opens it (rotation, public key).
std::shared_ptr<store::KeyStore> openKeyStore(const AppConfig& config);
// The configured backend's stores and audit store.
store::Stores openStores(const AppConfig& config, std::shared_ptr<store::KeyStore> keys);
std::unique_ptr<store::AuditStore> openAuditStore(const AppConfig& config);
// The PostgreSQL options of a configuration that has store.postgresql.
store::PostgresOptions postgresOptions(const AppConfig& config);

// The gateway's Ed25519 public key (receipts, audit checkpoints), derived from the root key in
// the configuration's key store (opened beside a running gateway if need be).
std::string gatewayPublicKey(const AppConfig& config);

// The whole application of one node, opened from its configuration: keys, partner registry,
// sharing policy, stores, the audit log, the services and the use cases, and the background
// work. Whoever serves it (the HTTP layer, a command) maps its requests to these. Holds the
// store's process lock while open. Not copyable; start(), stop() and reloadPolicy() from one
// controlling thread; the services and use cases from any thread.
class Application {
 public:
  // Opens everything the configuration names and records what a process that died left
  // committed without its audit entry; throws DomainError (configuration; unavailable for a store
  // in use) with a message naming what is
  // wrong (unreadable key file, bad registry or policy, store in use or that cannot be opened).
  explicit Application(const AppConfig& config);
  ~Application();
  Application(const Application&) = delete;
  Application& operator=(const Application&) = delete;

  // The background work: webhook deliveries, and (if configured) retention now and daily.
  void start();
  void stop();

  // Reads the policy directory again; on success the new policy applies to the next requests
  // and its version is returned; on failure throws policies::PolicyError, naming the file and
  // rule, and the policy in force stays.
  std::string reloadPolicy();
  std::string policyVersion() const { return policies_.current()->version(); }

  // The services.
  const dossiers::AccessGuard& guard() const { return guard_; }
  dossiers::DossierService& dossiers() { return *dossiers_; }
  dossiers::RelationshipService& relationships() { return relationships_; }
  dossiers::ConsentService& consents() { return consents_; }
  dossiers::ReconciliationService& reconciliation() { return reconciliation_; }
  const policies::PartnerRegistry& registry() const { return registry_; }

  // The use cases.
  ExportOrders& exportOrders() { return export_orders_; }
  ExportJobs& exportJobs() { return export_jobs_; }
  ConsoleSessions& consoleSessions() { return console_sessions_; }
  Imports& imports() { return imports_; }
  RetentionRunner& retention() { return retention_; }
  ReconciliationCommands& reconciliationCommands() { return reconciliation_commands_; }
  const IndicatorReport& indicators() const { return indicators_; }
  // Partner files sent over HTTP are spooled here while imported (owner-only, emptied at open).
  const std::filesystem::path& importSpool() const { return import_spool_; }

  // The audit log and who writes to it.
  AuditRecorder& audit() { return recorder_; }
  audit::AuditLog& auditLog() { return audit_; }
  audit::PendingEntries& pendingAudit() { return pending_audit_; }
  LogIntegrity& logIntegrity() { return log_integrity_; }
  const audit::PersonPseudonyms& pseudonyms() const { return pseudonyms_; }

  // Operations.
  ReadinessProbe& readiness() { return readiness_; }
  WebhookDispatcher& webhooks() { return webhooks_; }
  const store::WebhookStore& webhookOutbox() const { return *stores_.webhooks; }
  const store::DossierStore& store() const { return *stores_.dossiers; }
  const crypto::Signer& signer() const { return signer_; }
  const store::KeyStore& keyStore() const { return *keys_; }

 private:
  static policies::PolicySet loadPolicy(const AppConfig& config);
  audit::AuditLogOptions auditLogOptions(const AppConfig& config);
  // Says to the other nodes that this one now serves its current policy (PostgreSQL).
  void adoptPolicy();

  AppConfig config_;
  ProcessLock lock_;
  std::unique_ptr<store::Leases> leases_;
  // Between start() and stop(): a node serving, not a command that opened the store (which
  // signs no periodic checkpoint).
  std::atomic<bool> serving_{false};
  std::shared_ptr<store::KeyStore> keys_;
  crypto::Signer signer_;
  policies::PartnerRegistry registry_;
  dossiers::PolicyHolder policies_;
  policies::ExportProfiles export_profiles_;
  store::Stores stores_;
  std::unique_ptr<store::AuditStore> audit_store_;
  audit::AuditLog audit_;
  audit::PersonPseudonyms pseudonyms_;
  audit::PendingEntries pending_audit_;
  AuditRecorder recorder_;
  LogIntegrity log_integrity_;
  schemas::SectionValidator validator_;
  dossiers::AccessGuard guard_;
  dossiers::RelationshipService relationships_;
  dossiers::ConsentService consents_;
  dossiers::ReconciliationService reconciliation_;
  std::unique_ptr<dossiers::DossierService> dossiers_;
  ExportOrders export_orders_;
  Imports imports_;
  RetentionRunner retention_;
  ReconciliationCommands reconciliation_commands_;
  IndicatorReport indicators_;
  std::filesystem::path import_spool_;
  WebhookDispatcher webhooks_;
  ExportJobs export_jobs_;
  ConsoleSessions console_sessions_;
  ReadinessProbe readiness_;
  // With several nodes (PostgreSQL), every kHeartbeat: this node says which policy it serves
  // and learns the one in force; and the node holding the "audit-outbox" lease records, every
  // minute, the outbox rows that a node which died left without their entries.
  std::optional<core::Worker::Clock::time_point> nodeRound();
  std::string node_id_;  // random, per process: names no person and no host
  std::mutex in_force_mutex_;
  std::optional<std::string> policy_in_force_;
  core::Worker::Clock::time_point next_recovery_{};
  core::Worker node_worker_{[this] { return nodeRound(); }, core::Worker::OnStop::abandon};
  core::metrics::ScrapeHook metrics_;  // while serving

 public:
  static constexpr std::chrono::seconds kHeartbeat{5};
};

}  // namespace passerelle::app
