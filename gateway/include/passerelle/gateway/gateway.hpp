#pragma once

#include <memory>

#include "passerelle/crypto/master_key.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/gateway/server.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/schemas/section_validator.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::gateway {

// A whole gateway node assembled from its configuration: master key, partner registry, store,
// validation, the dossier service and the HTTPS server. Not copyable; start() and stop() from one
// controlling thread.
class Gateway {
 public:
  // Opens everything the configuration names; throws std::runtime_error with a message naming
  // what is wrong (unreadable key file, bad registry, store that cannot be opened).
  explicit Gateway(const GatewayConfig& config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  void start() { server_->start(); }
  void stop() { server_->stop(); }
  std::uint16_t port() const { return server_->port(); }

  dossiers::DossierService& service() { return *service_; }
  const store::DossierStore& store() const { return *store_; }
  const policies::PartnerRegistry& registry() const { return registry_; }

 private:
  static crypto::MasterKey loadMasterKey(const GatewayConfig& config);

  crypto::MasterKey master_;
  policies::PartnerRegistry registry_;
  std::unique_ptr<store::DossierStore> store_;
  schemas::SectionValidator validator_;
  std::unique_ptr<dossiers::DossierService> service_;
  std::unique_ptr<GatewayServer> server_;
};

}  // namespace passerelle::gateway
