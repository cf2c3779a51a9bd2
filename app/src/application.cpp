#include "passerelle/app/application.hpp"

#include <Poco/Logger.h>

#include <cstdlib>
#include <stdexcept>

#include "passerelle/app/node_metrics.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/store/pending_audit.hpp"

namespace passerelle::app {

namespace {

// How long an outbox row may wait for its entry from the node that wrote it (milliseconds in
// practice; minutes when the audit log is unavailable) before another node records it.
constexpr std::chrono::minutes kOtherNodesGrace{10};

// The lock that keeps a second process off this store (SQLite) or this node's work directory
// (PostgreSQL, created here, readable by the gateway's user only).
std::filesystem::path lockFile(const AppConfig& config) {
  if (config.postgresql) {
    std::filesystem::create_directories(config.postgresql->work_dir);
    std::filesystem::permissions(config.postgresql->work_dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace);
  }
  return localPath(config, "lock");
}

// Partner files sent to POST /v1/imports are spooled here, beside the store, readable by the
// gateway's user only; what a crash left behind is removed at start.
std::filesystem::path makeImportSpool(const AppConfig& config) {
  const auto dir = localPath(config, "imports");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  return dir;
}

// On PostgreSQL another node may be writing the entry of a younger outbox row.
audit::PendingEntries::Options pendingOptions(const AppConfig& config) {
  audit::PendingEntries::Options options;
  if (config.postgresql) options.recover_after = kOtherNodesGrace;
  return options;
}

}  // namespace

crypto::MasterKeys loadMasterKeys(const AppConfig& config) {
  if (config.master_key_file) return crypto::MasterKeys::loadFile(*config.master_key_file);
  const char* text = std::getenv("PASSERELLE_MASTER_KEY");
  if (text == nullptr)
    throw core::DomainError(
        core::ErrorKind::configuration,
        "no master key: set master_key_file in the configuration or PASSERELLE_MASTER_KEY");
  return crypto::MasterKeys::parse(text, "PASSERELLE_MASTER_KEY");
}

store::PostgresOptions postgresOptions(const AppConfig& config) {
  const auto& pg = *config.postgresql;
  return {connectionString(pg.url, pg), connectionString(pg.keys_url, pg),
          static_cast<std::size_t>(pg.pool_size), pg.migrate};
}

std::shared_ptr<store::KeyStore> openKeyStore(const AppConfig& config) {
  store::KeyStore::Reload reload;
  // A rotation by `passerelle keys rotate` adds a version to the key file while we serve.
  if (config.master_key_file)
    reload = [file = *config.master_key_file] { return crypto::MasterKeys::loadFile(file); };
  if (config.postgresql)
    return store::openPostgresKeyStore(postgresOptions(config), loadMasterKeys(config),
                                       std::move(reload));
  return store::openKeyStore({config.sqlite_file}, loadMasterKeys(config), std::move(reload));
}

store::Stores openStores(const AppConfig& config, std::shared_ptr<store::KeyStore> keys) {
  if (config.postgresql) return store::openPostgresStores(postgresOptions(config), std::move(keys));
  return store::openSqliteStores({config.sqlite_file, 4}, std::move(keys));
}

std::unique_ptr<store::AuditStore> openAuditStore(const AppConfig& config) {
  if (config.postgresql) {
    const auto options = postgresOptions(config);
    // Only the schema's owner may record the retention period; a node's role reads it.
    return store::openPostgresAuditStore(
        {options.url, options.migrate ? std::optional(config.audit.retention_months) : std::nullopt,
         options.migrate});
  }
  return store::openSqliteAuditStore(
      {auditFile(config), 2, config.audit.busy_timeout_ms, config.audit.retention_months});
}

std::string gatewayPublicKey(const AppConfig& config) {
  return crypto::Signer(openKeyStore(config)->root().derive(crypto::KeyUse::signing))
      .publicKeyHex();
}

audit::AuditLogOptions Application::auditLogOptions(const AppConfig& config) {
  audit::AuditLogOptions options;
  options.log_id = config.audit.log_id;
  options.checkpoint_interval = std::chrono::milliseconds(config.audit.checkpoint_interval_ms);
  // With several nodes, one serving node at a time signs the periodic checkpoints (of every
  // node's entries).
  if (config.postgresql)
    options.signs_checkpoints = [this] { return serving_ && leases_->hold("checkpoints"); };
  return options;
}

policies::PolicySet Application::loadPolicy(const AppConfig& config) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  return config.policies_dir ? policies::PolicySet::loadDirectory(*config.policies_dir, catalogue)
                             : policies::PolicySet::builtin(catalogue);
}

Application::Application(const AppConfig& config)
    : config_(config),
      lock_(lockFile(config),
            config.postgresql
                ? "this work directory is in use by another passerelle process; give each node "
                  "its own store.postgresql.work_dir"
                : "the store is in use by another passerelle process; stop it first — a running "
                  "gateway applies retention itself, daily"),
      leases_(config.postgresql ? store::openPostgresLeases(postgresOptions(config).url)
                                : store::soleProcessLeases()),
      keys_(openKeyStore(config)),
      signer_(keys_->root().derive(crypto::KeyUse::signing)),
      registry_(policies::PartnerRegistry::loadFile(config.partners_file)),
      policies_(loadPolicy(config)),
      export_profiles_(policies::ExportProfiles::builtin(schemas::FieldCatalogue::builtin())),
      stores_(openStores(config, keys_)),
      audit_store_(openAuditStore(config)),
      audit_(*audit_store_, signer_, auditLogOptions(config)),
      pseudonyms_(keys_->root()),
      pending_audit_(audit_, *stores_.pending_audit, pseudonyms_, pendingOptions(config)),
      recorder_(audit_, pending_audit_, pseudonyms_),
      log_integrity_(audit_, config.audit.retention_months),
      guard_(policies_, schemas::FieldCatalogue::builtin(), *stores_.relationships,
             *stores_.consents),
      relationships_(*stores_.relationships, *stores_.dossiers, guard_, registry_),
      consents_(*stores_.consents, *stores_.dossiers, guard_, registry_, signer_,
                config.controller),
      reconciliation_(*stores_.dossiers, validator_, guard_),
      dossiers_(std::make_unique<dossiers::DossierService>(*stores_.dossiers, validator_, guard_,
                                                           relationships_)),
      export_orders_(registry_, guard_, export_profiles_, *stores_.dossiers, keys_->root(), signer_,
                     recorder_),
      imports_(registry_, policies_, *dossiers_, recorder_),
      retention_({config.retention.months}, *stores_.dossiers, policies_, recorder_, *leases_),
      reconciliation_commands_(registry_, policies_, reconciliation_, recorder_),
      indicators_(*stores_.dossiers),
      import_spool_(makeImportSpool(config)),
      webhooks_(registry_, *dossiers_, *stores_.webhooks, config.webhooks, *leases_),
      export_jobs_(*stores_.export_jobs, *leases_, localPath(config, "exports"),
                   [this](const ExportOrder& order, const std::filesystem::path& dir) {
                     return export_orders_.run(order, dir);
                   }),
      console_sessions_(*stores_.console_sessions, registry_, guard_),
      readiness_({[this] { return audit_.probeWritable(); },
                  [this] { return stores_.dossiers->probeWritable(); },
                  [this] { return keys_->probeReadable(); },
                  [this]() -> std::optional<std::string> {
                    const auto policy = policies_.current();
                    return policy ? std::optional(policy->version()) : std::nullopt;
                  },
                  [this]() -> std::optional<std::string> {
                    std::lock_guard lock(in_force_mutex_);
                    return policy_in_force_;
                  }}),
      node_id_(crypto::toHex(crypto::randomBytes(8))) {
  // What a process that died left committed without its entry is recorded before anything else.
  pending_audit_.recover();
}

Application::~Application() {
  stop();
}

void Application::start() {
  serving_ = true;
  metrics_ = publishNodeMetrics(*stores_.webhooks, *stores_.export_jobs, policies_);
  webhooks_.start();
  export_jobs_.start();
  if (config_.retention.daily) retention_.start();
  if (config_.postgresql) {
    adoptPolicy();
    node_worker_.start();
  }
}

void Application::stop() {
  serving_ = false;
  metrics_ = {};
  webhooks_.stop();
  export_jobs_.stop();
  retention_.stop();
  if (node_worker_.running()) {
    node_worker_.stop();
    try {
      stores_.policy_agreement->leave(node_id_);
    } catch (const std::exception& e) {
      // Forgotten after PolicyAgreement::kLiveSeconds anyway.
      Poco::Logger::get("passerelle.node")
          .warning("could not say this node stops: %s", std::string(e.what()));
    }
  }
}

void Application::adoptPolicy() {
  const auto policy = policies_.current();
  if (!policy) return;
  try {
    stores_.policy_agreement->adopt(node_id_, policy->version());
    const auto in_force = stores_.policy_agreement->inForce();
    std::lock_guard lock(in_force_mutex_);
    policy_in_force_ = in_force;
  } catch (const std::exception& e) {
    // The heartbeat tells the others soon; meanwhile this node's readiness says what it knows.
    Poco::Logger::get("passerelle.policy")
        .error("could not record the policy version this node serves: %s", std::string(e.what()));
  }
}

std::optional<core::Worker::Clock::time_point> Application::nodeRound() {
  auto& log = Poco::Logger::get("passerelle.node");
  if (const auto policy = policies_.current()) {
    try {
      // The key file as it is now, not as loaded: `keys rotate` waits until every node's copy
      // has the new version (it is read again when a key needs it).
      std::vector<int> master_versions;
      try {
        for (const auto v : loadMasterKeys(config_).versions())
          master_versions.push_back(static_cast<int>(v));
      } catch (const std::exception& e) {
        log.error("the master key cannot be read: %s", std::string(e.what()));
      }
      stores_.policy_agreement->heartbeat(node_id_, policy->version(), master_versions);
      auto in_force = stores_.policy_agreement->inForce();
      std::lock_guard lock(in_force_mutex_);
      if (in_force != policy_in_force_ && in_force && *in_force != policy->version())
        log.warning("the nodes serve sharing policy %s, this node %s: reload its policy files",
                    *in_force, policy->version());
      policy_in_force_ = std::move(in_force);
    } catch (const std::exception& e) {
      log.error("heartbeat failed, will retry: %s", std::string(e.what()));
    }
  }
  const auto now = core::Worker::now();
  if (now >= next_recovery_ && leases_->hold("audit-outbox")) {
    next_recovery_ = now + std::chrono::minutes(1);
    try {
      pending_audit_.recover();
    } catch (const std::exception& e) {
      // The rows stay; the next round tries again.
      log.error("audit outbox recovery failed, will retry: %s", std::string(e.what()));
    }
  }
  return now + kHeartbeat;
}

std::string Application::reloadPolicy() {
  policies_.replace(loadPolicy(config_));
  if (config_.postgresql) adoptPolicy();
  return policies_.current()->version();
}

}  // namespace passerelle::app
