#include "passerelle/gateway/gateway.hpp"

#include <cstdlib>
#include <stdexcept>

#include "passerelle/store/sqlite_store.hpp"

namespace passerelle::gateway {

crypto::MasterKey Gateway::loadMasterKey(const GatewayConfig& config) {
  if (config.master_key_file) return crypto::MasterKey::loadFile(*config.master_key_file);
  const char* hex = std::getenv("PASSERELLE_MASTER_KEY");
  if (hex == nullptr)
    throw std::runtime_error(
        "no master key: set master_key_file in the configuration or PASSERELLE_MASTER_KEY");
  return crypto::MasterKey::fromHex(hex);
}

Gateway::Gateway(const GatewayConfig& config)
    : master_(loadMasterKey(config)),
      registry_(policies::PartnerRegistry::loadFile(config.partners_file)),
      store_(store::openSqliteStore({config.sqlite_file, 4}, master_)),
      service_(std::make_unique<dossiers::DossierService>(*store_, validator_)),
      server_(std::make_unique<GatewayServer>(config.server, registry_, *service_)) {}

Gateway::~Gateway() {
  server_->stop();
}

}  // namespace passerelle::gateway
