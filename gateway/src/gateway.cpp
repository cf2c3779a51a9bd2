#include "passerelle/gateway/gateway.hpp"

namespace passerelle::gateway {

Gateway::Gateway(const GatewayConfig& config)
    : app_(config),
      server_(std::make_unique<GatewayServer>(config.server, app_)),
      metrics_(config.metrics ? std::make_unique<MetricsServer>(*config.metrics) : nullptr) {}

Gateway::~Gateway() {
  stop();
}

void Gateway::start() {
  if (metrics_) metrics_->start();
  server_->start();
  app_.start();
}

void Gateway::stop() {
  server_->stop();
  app_.stop();
  if (metrics_) metrics_->stop();
}

std::optional<std::uint16_t> Gateway::metricsPort() const {
  return metrics_ ? std::optional(metrics_->port()) : std::nullopt;
}

}  // namespace passerelle::gateway
