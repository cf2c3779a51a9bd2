#include "passerelle/gateway/gateway.hpp"

#include <cstdlib>
#include <stdexcept>

namespace passerelle::gateway {

crypto::MasterKey Gateway::loadMasterKey(const GatewayConfig& config) {
  if (config.master_key_file) return crypto::MasterKey::loadFile(*config.master_key_file);
  const char* hex = std::getenv("PASSERELLE_MASTER_KEY");
  if (hex == nullptr)
    throw std::runtime_error(
        "no master key: set master_key_file in the configuration or PASSERELLE_MASTER_KEY");
  return crypto::MasterKey::fromHex(hex);
}

policies::PolicySet Gateway::loadPolicy(const GatewayConfig& config) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  return config.policies_dir ? policies::PolicySet::loadDirectory(*config.policies_dir, catalogue)
                             : policies::PolicySet::builtin(catalogue);
}

std::string gatewayPublicKey(const GatewayConfig& config) {
  return crypto::Signer(Gateway::loadMasterKey(config).derive(crypto::KeyUse::signing))
      .publicKeyHex();
}

Gateway::Gateway(const GatewayConfig& config)
    : config_(config),
      master_(loadMasterKey(config)),
      signer_(master_.derive(crypto::KeyUse::signing)),
      registry_(policies::PartnerRegistry::loadFile(config.partners_file)),
      policies_(loadPolicy(config)),
      stores_(store::openSqliteStores({config.sqlite_file, 4}, master_)),
      audit_store_(
          store::openSqliteAuditStore({auditFile(config), 2, config.audit.busy_timeout_ms})),
      audit_(*audit_store_, signer_,
             {config.audit.log_id, std::chrono::milliseconds(config.audit.checkpoint_interval_ms),
              4096}),
      pseudonyms_(master_),
      guard_(policies_, schemas::FieldCatalogue::builtin(), *stores_.relationships,
             *stores_.consents),
      relationships_(*stores_.relationships, *stores_.dossiers, guard_, registry_),
      consents_(*stores_.consents, *stores_.dossiers, guard_, registry_, signer_),
      dossiers_(std::make_unique<dossiers::DossierService>(*stores_.dossiers, validator_, guard_,
                                                           relationships_)),
      services_{*dossiers_,
                relationships_,
                consents_,
                registry_,
                audit_,
                pseudonyms_,
                [this] { return reloadPolicy(); }},
      server_(std::make_unique<GatewayServer>(config.server, services_)) {}

Gateway::~Gateway() {
  server_->stop();
}

std::string Gateway::reloadPolicy() {
  policies_.replace(loadPolicy(config_));
  return policies_.current()->version();
}

}  // namespace passerelle::gateway
