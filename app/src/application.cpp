#include "passerelle/app/application.hpp"

#include <cstdlib>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/store/pending_audit.hpp"

namespace passerelle::app {

namespace {

std::filesystem::path besideStore(const AppConfig& config, const char* suffix) {
  auto path = config.sqlite_file;
  path += suffix;
  return path;
}

// Partner files sent to POST /v1/imports are spooled here, beside the store, readable by the
// gateway's user only; what a crash left behind is removed at start.
std::filesystem::path makeImportSpool(const AppConfig& config) {
  const auto dir = besideStore(config, ".imports");
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  return dir;
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

std::shared_ptr<store::KeyStore> openKeyStore(const AppConfig& config) {
  store::KeyStore::Reload reload;
  // A rotation by `passerelle keys rotate` adds a version to the key file while we serve.
  if (config.master_key_file)
    reload = [file = *config.master_key_file] { return crypto::MasterKeys::loadFile(file); };
  return store::openKeyStore({config.sqlite_file}, loadMasterKeys(config), std::move(reload));
}

std::string gatewayPublicKey(const AppConfig& config) {
  return crypto::Signer(openKeyStore(config)->root().derive(crypto::KeyUse::signing))
      .publicKeyHex();
}

policies::PolicySet Application::loadPolicy(const AppConfig& config) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  return config.policies_dir ? policies::PolicySet::loadDirectory(*config.policies_dir, catalogue)
                             : policies::PolicySet::builtin(catalogue);
}

Application::Application(const AppConfig& config)
    : config_(config),
      lock_(besideStore(config, ".lock"),
            "the store is in use by another passerelle process; stop it first — a running "
            "gateway applies retention itself, daily"),
      keys_(openKeyStore(config)),
      signer_(keys_->root().derive(crypto::KeyUse::signing)),
      registry_(policies::PartnerRegistry::loadFile(config.partners_file)),
      policies_(loadPolicy(config)),
      export_profiles_(policies::ExportProfiles::builtin(schemas::FieldCatalogue::builtin())),
      stores_(store::openSqliteStores({config.sqlite_file, 4}, keys_)),
      audit_store_(store::openSqliteAuditStore(
          {auditFile(config), 2, config.audit.busy_timeout_ms, config.audit.retention_months})),
      audit_(*audit_store_, signer_,
             {config.audit.log_id, std::chrono::milliseconds(config.audit.checkpoint_interval_ms),
              4096}),
      pseudonyms_(keys_->root()),
      pending_audit_(audit_, *stores_.pending_audit, pseudonyms_, {}),
      recorder_(audit_, pending_audit_, pseudonyms_),
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
      retention_({config.retention.months}, *stores_.dossiers, policies_, recorder_),
      reconciliation_commands_(registry_, policies_, reconciliation_, recorder_),
      indicators_(*stores_.dossiers),
      import_spool_(makeImportSpool(config)),
      webhooks_(registry_, *dossiers_, *stores_.webhooks, config.webhooks),
      export_jobs_(besideStore(config, ".exports"),
                   [this](const ExportOrder& order, const std::filesystem::path& dir) {
                     return export_orders_.run(order, dir);
                   }),
      readiness_({[this] { return audit_.probeWritable(); },
                  [this] { return stores_.dossiers->probeWritable(); },
                  [this] { return keys_->probeReadable(); },
                  [this]() -> std::optional<std::string> {
                    const auto policy = policies_.current();
                    return policy ? std::optional(policy->version()) : std::nullopt;
                  }}) {
  // What a process that died left committed without its entry is recorded before anything else.
  pending_audit_.recover();
}

Application::~Application() {
  stop();
}

void Application::start() {
  webhooks_.start();
  if (config_.retention.daily) retention_.start();
}

void Application::stop() {
  webhooks_.stop();
  retention_.stop();
}

std::string Application::reloadPolicy() {
  policies_.replace(loadPolicy(config_));
  return policies_.current()->version();
}

}  // namespace passerelle::app
