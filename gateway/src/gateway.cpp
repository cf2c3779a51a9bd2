#include "passerelle/gateway/gateway.hpp"

namespace passerelle::gateway {

Gateway::Gateway(const GatewayConfig& config)
    : app_(config), server_(std::make_unique<GatewayServer>(config.server, app_)) {}

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
