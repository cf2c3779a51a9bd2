#include "passerelle/gateway/gateway.hpp"

namespace passerelle::gateway {

Gateway::Gateway(const GatewayConfig& config)
    : app_(config),
      services_{app_.guard(),        app_.dossiers(),       app_.relationships(),
                app_.consents(),     app_.reconciliation(), app_.registry(),
                app_.audit(),        app_.auditLog(),       [this] { return app_.reloadPolicy(); },
                app_.exportOrders(), app_.exportJobs(),     app_.indicators(),
                app_.imports(),      app_.importSpool(),    app_.webhookOutbox(),
                app_.readiness()},
      server_(std::make_unique<GatewayServer>(config.server, services_)) {}

Gateway::~Gateway() {
  stop();
}

void Gateway::start() {
  server_->start();
  app_.start();
}

void Gateway::stop() {
  server_->stop();
  app_.stop();
}

}  // namespace passerelle::gateway
