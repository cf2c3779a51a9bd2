#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "https_client.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/gateway/gateway.hpp"
#include "temp_dir.hpp"

namespace passerelle::testing {

// A real gateway for integration tests: the demo directory layout (local CA, server and partner
// certificates, tokens, registry, master key, SQLite file) in a temp dir, served over TLS on a
// free loopback port. No dossiers are preloaded.
class TestGateway {
 public:
  // `adjust` may change the configuration before the gateway opens it.
  explicit TestGateway(const std::function<void(gateway::GatewayConfig&)>& adjust = {});
  ~TestGateway();

  void start();
  void stop();
  // Stops and reopens everything from the same files, as after a process restart.
  // `adjust` may change the configuration first.
  void restart(const std::function<void(gateway::GatewayConfig&)>& adjust = {});
  // Stops and closes everything (the store's lock too), as when the process exits.
  void close();

  std::uint16_t port() const { return gateway_->port(); }
  const std::filesystem::path& dir() const { return dir_.path(); }
  const gateway::GatewayConfig& config() const { return config_; }
  gateway::Gateway& gateway() { return *gateway_; }

  // Runs SQL on the dossiers' database, whichever backend (to set up what no API call can, such
  // as a write dated years ago). Values must be written in the SQL.
  void execOnStore(const std::string& sql) const;
  // The command-line options that name this gateway's audit log: its SQLite file, or the
  // configuration whose PostgreSQL database holds it.
  std::vector<std::string> auditLogOptions() const;

  // Writes `file` in the directory: this gateway's configuration for a `passerelle serve` of
  // its own on `port`, changed by `adjust`; its path.
  std::filesystem::path writeServeConfig(
      const std::string& file, std::uint16_t port,
      const std::function<void(nlohmann::json&)>& adjust = {}) const;

  // A client authenticated by the partner's demo certificate.
  HttpsClient asPartner(const std::string& partner_id) const;
  // The partner's demo bearer token.
  std::string tokenOf(const std::string& partner_id) const;
  // A client that presents no certificate (it may still send a bearer token).
  HttpsClient anonymous() const;
  // Sends raw bytes over TLS (with the partner's certificate; none if empty) and returns what
  // comes back until the server closes or 10 s pass: for messages no HTTP client would send.
  std::string rawExchange(const std::string& bytes, const std::string& partner_id = "") const;

 private:
  TempDir dir_;
  gateway::GatewayConfig config_;
  std::string database_;  // on PostgreSQL, the dossiers' database
  std::unique_ptr<gateway::Gateway> gateway_;
};

// Whether the integration suite runs on PostgreSQL (PASSERELLE_TEST_BACKEND=postgresql, which
// CTest sets for the suite's second run) rather than SQLite: TestGateway then puts the store
// in two new databases of the test process's PostgreSQL server.
bool onPostgres();

// Headers for a JSON request with a purpose.
std::map<std::string, std::string> withPurpose(const std::string& purpose = "accompagnement");

}  // namespace passerelle::testing
