#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "passerelle/app/application.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/gateway/metrics_server.hpp"
#include "passerelle/gateway/server.hpp"

namespace passerelle::gateway {

// A whole gateway node: the application opened from the configuration, served over HTTPS.
// Not copyable; start(), stop() and reloadPolicy() from one controlling thread.
class Gateway {
 public:
  // Opens the application (app::Application's errors) and prepares the server.
  explicit Gateway(const GatewayConfig& config);
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Serves, and starts the application's background work.
  void start();
  void stop();
  std::uint16_t port() const { return server_->port(); }
  const GatewayServer& server() const { return *server_; }
  // The metrics endpoint's bound port, if the configuration asks for one.
  std::optional<std::uint16_t> metricsPort() const;

  app::Application& app() { return app_; }
  const app::Application& app() const { return app_; }

 private:
  app::Application app_;
  std::unique_ptr<GatewayServer> server_;
  std::unique_ptr<MetricsServer> metrics_;
};

}  // namespace passerelle::gateway
