#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "passerelle/audit/audit_log.hpp"
#include "passerelle/audit/pending_entries.hpp"
#include "passerelle/audit/person_pseudonyms.hpp"
#include "passerelle/connectors/importer.hpp"
#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/dossiers/consent_service.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/dossiers/policy_holder.hpp"
#include "passerelle/dossiers/reconciliation_service.hpp"
#include "passerelle/dossiers/relationship_service.hpp"
#include "passerelle/dossiers/retention.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/gateway/export_jobs.hpp"
#include "passerelle/gateway/process_lock.hpp"
#include "passerelle/gateway/readiness.hpp"
#include "passerelle/gateway/server.hpp"
#include "passerelle/gateway/webhook_dispatcher.hpp"
#include "passerelle/policies/export_profile.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/schemas/section_validator.hpp"
#include "passerelle/store/sqlite_store.hpp"

namespace passerelle::gateway {

// Who imports what (POST /v1/imports/{format}, passerelle import).
struct ImportOrder {
  core::PartnerId partner;
  std::string credential;  // as the audit log names it
  core::Purpose purpose;
  connectors::ImportFormat format;
  core::RequestId request_id;
  // Whether runImport appends the `import_run` entry; an HTTP request's own entry is that
  // record, so the route says no.
  bool record_run = true;
  connectors::ImportOptions options;  // dry run, accept a CAF trailer's wrong count
};

// The services a request may call, in one place for the HTTP routes (and, later, the imports).
struct Services {
  // What the policy lets a partner do beyond fields (policies::Capability): routes ask it.
  const dossiers::AccessGuard& guard;
  dossiers::DossierService& dossiers;
  dossiers::RelationshipService& relationships;
  dossiers::ConsentService& consents;
  dossiers::ReconciliationService& reconciliation;
  const policies::PartnerRegistry& registry;
  audit::AuditLog& audit;
  // The entries of committed changes: they claim their outbox rows, and wait there if the log
  // cannot take them.
  audit::PendingEntries& pending_audit;
  const audit::PersonPseudonyms& pseudonyms;
  // Reloads the sharing policy; returns the new version, or throws policies::PolicyError and
  // keeps the one in force.
  std::function<std::string()> reload_policy;
  // Exports in the background (POST /v1/exports), and the check run before queuing one.
  ExportJobs& exports;
  std::function<void(const ExportOrder&)> check_export;
  // The SPIE indicators over [from, to] (YYYY-MM-DD), small cells hidden.
  std::function<nlohmann::ordered_json(const std::string& from, const std::string& to)> indicators;
  // Imports a partner file (Gateway::runImport).
  std::function<connectors::ImportReport(const ImportOrder&, const std::filesystem::path&)>
      import_file;
  std::filesystem::path import_spool;         // where request bodies are written while imported
  const store::WebhookStore& webhook_outbox;  // delivery attempts, for GET /v1/webhooks/...
  ReadinessProbe& readiness;                  // GET /readyz
};

// The gateway's Ed25519 public key (receipts, audit checkpoints), derived from the root key in
// the configuration's key store (opened beside a running gateway if need be).
std::string gatewayPublicKey(const GatewayConfig& config);

// The key store the configuration names, with the master key it names; a gateway keeps serving
// while another process opens it (rotation, public key).
std::shared_ptr<store::KeyStore> openKeyStore(const GatewayConfig& config);

// A whole gateway node assembled from its configuration: master key, partner registry, sharing
// policy, stores, validation, the services and the HTTPS server. Not copyable; start(), stop()
// and reloadPolicy() from one controlling thread.
class Gateway {
 public:
  // Opens everything the configuration names; throws std::runtime_error with a message naming
  // what is wrong (unreadable key file, bad registry or policy, store that cannot be opened).
  explicit Gateway(const GatewayConfig& config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Serves, delivers webhook notifications, and (if configured) applies the retention rule now
  // and then daily.
  void start();
  void stop();

  // Applies the retention rule: lists the dossiers due and, unless `dry_run`, erases them
  // (crypto-shredding), each erasure recorded in the audit log.
  struct RetentionReport {
    std::string cutoff;  // last activity before this is due
    std::vector<dossiers::DueErasure> due;
    std::size_t erased = 0;
  };
  RetentionReport applyRetention(bool dry_run);

  // Checks an export order: the partner is an évaluateur, the study is its own and valid today,
  // the profile exists and the study may ask for it, the dates are dates. Throws
  // core::DomainError (forbidden, not_found, invalid_input) saying which.
  void checkExportOrder(const ExportOrder& order) const;
  // A pseudonymised export for an évaluateur's study (see connectors/export_job.hpp), after
  // checkExportOrder; recorded in the audit log (one entry: who, study, profile, how many
  // persons).
  nlohmann::json runExport(const ExportOrder& order, const std::filesystem::path& out_dir);

  // Imports a partner file through the dossier service (connectors::runImport) as the order's
  // partner and purpose; every person created, matched or refused gets a `dossier_import` audit
  // entry, the file one `import_run` entry with the counts. Throws connectors::FileFormatError
  // for an unusable file, core::DomainError(forbidden) for a partner that may not write.
  connectors::ImportReport runImport(const ImportOrder& order, const std::filesystem::path& file);

  // Identity reconciliation from the command line, as `partner` (`passerelle reconciliation`):
  // the open cases, or a decision on one (dossiers::ReconciliationService), each recorded in
  // the audit log as the API records it (one entry per dossier of a decided case). Throws
  // core::DomainError as the service does, recorded too.
  std::vector<store::ReconciliationCase> reconciliationCases(const core::PartnerId& partner);
  dossiers::CaseOutcome reconcile(const core::PartnerId& partner, const std::string& case_id,
                                  const nlohmann::json& decision);

  // The SPIE indicators over [from, to] (YYYY-MM-DD) as of `as_of` (default today), from every
  // dossier, small cells hidden (policies/indicators.hpp). Throws core::DomainError
  // (invalid_input) for dates that are not dates or out of order.
  nlohmann::ordered_json indicators(const std::string& from, const std::string& to,
                                    const std::optional<std::string>& as_of = std::nullopt) const;
  std::uint16_t port() const { return server_->port(); }

  // Reads the policy directory again; on success the new policy applies to the next requests
  // and its version is returned; on failure throws policies::PolicyError, naming the file and
  // rule, and the policy in force stays.
  std::string reloadPolicy();
  // The master key versions the configuration names (key file, else PASSERELLE_MASTER_KEY).
  static crypto::MasterKeys loadMasterKeys(const GatewayConfig& config);

  std::string policyVersion() const { return policies_.current()->version(); }

  Services& services() { return services_; }
  dossiers::DossierService& service() { return *dossiers_; }
  const store::DossierStore& store() const { return *stores_.dossiers; }
  const policies::PartnerRegistry& registry() const { return registry_; }
  const crypto::Signer& signer() const { return signer_; }
  const store::KeyStore& keyStore() const { return *keys_; }
  audit::AuditLog& auditLog() { return audit_; }
  audit::PendingEntries& pendingAudit() { return pending_audit_; }
  const audit::PersonPseudonyms& pseudonyms() const { return pseudonyms_; }
  // The webhook notifications (a serving gateway runs them in a thread of its own).
  WebhookDispatcher& webhooks() { return webhooks_; }

 private:
  static policies::PolicySet loadPolicy(const GatewayConfig& config);

  void retentionLoop();

  GatewayConfig config_;
  ProcessLock lock_;
  std::shared_ptr<store::KeyStore> keys_;
  crypto::Signer signer_;
  policies::PartnerRegistry registry_;
  dossiers::PolicyHolder policies_;
  policies::ExportProfiles export_profiles_;
  store::SqliteStores stores_;
  std::unique_ptr<store::AuditStore> audit_store_;
  audit::AuditLog audit_;
  audit::PersonPseudonyms pseudonyms_;
  audit::PendingEntries pending_audit_;
  schemas::SectionValidator validator_;
  dossiers::AccessGuard guard_;
  dossiers::RelationshipService relationships_;
  dossiers::ConsentService consents_;
  dossiers::ReconciliationService reconciliation_;
  std::unique_ptr<dossiers::DossierService> dossiers_;
  WebhookDispatcher webhooks_;
  ExportJobs exports_;
  ReadinessProbe readiness_;
  Services services_;
  std::unique_ptr<GatewayServer> server_;

  std::mutex retention_mutex_;
  std::condition_variable retention_wake_;
  bool retention_stop_ = false;
  std::thread retention_thread_;
};

}  // namespace passerelle::gateway
