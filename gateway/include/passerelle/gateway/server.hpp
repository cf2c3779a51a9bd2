#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "passerelle/gateway/limits.hpp"

namespace passerelle::app {
class Application;
}

namespace passerelle::gateway {

// The files of the server's TLS identity, and the CA that issues partners' client certificates.
struct TlsFiles {
  std::filesystem::path certificate;
  std::filesystem::path private_key;
  std::filesystem::path client_ca;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8443;  // 0 picks a free port (tests)
  TlsFiles tls;
  Limits limits;
};

// The HTTPS server (TLS 1.2 minimum, optional client certificates verified against the client
// CA) that serves the API, mapping each request to the application. The application must
// outlive it. start() and stop() are
// called from one controlling thread; requests are served from the server's own thread pool.
class GatewayServer {
 public:
  GatewayServer(const ServerOptions& options, app::Application& app);
  ~GatewayServer();
  GatewayServer(const GatewayServer&) = delete;
  GatewayServer& operator=(const GatewayServer&) = delete;

  // Binds and starts serving; throws DomainError(configuration) if the port or TLS files are
  // unusable.
  void start();
  // Stops accepting, lets requests in progress finish. Idempotent.
  void stop();
  // The bound port (useful when the options asked for port 0).
  std::uint16_t port() const;
  // Every endpoint served, as method and route pattern ("GET", "/v1/dossiers/{id}"): what
  // docs/openapi.json must describe, no more and no less (its test).
  std::vector<std::pair<std::string, std::string>> endpoints() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::gateway
