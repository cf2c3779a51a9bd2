#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <string>

#include "passerelle/app/application.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::demo {

struct DemoOptions {
  std::filesystem::path dir = "passerelle-demo";
  std::uint16_t port = 8443;
  std::size_t dossiers = 500;
};

// Makes the demo directory if it does not hold one yet (reusing it otherwise):
//   DIR/ca.pem, DIR/ca-key.pem            local CA that issues every demo certificate
//   DIR/server/cert.pem, key.pem           server certificate for localhost and 127.0.0.1
//   DIR/partners/<id>/cert.pem, key.pem    one client certificate per demo partner
//   DIR/partners/<id>/token                one bearer token per demo partner
//   DIR/partners.json                      the partner registry
//   DIR/master.key                         the master key (owner-readable only)
//   DIR/passerelle.json                    the configuration `passerelle serve` reads
//   DIR/passerelle.db                      the SQLite store
// Returns the configuration, listening on 127.0.0.1 and options.port.
gateway::GatewayConfig prepareDemoDirectory(const DemoOptions& options);

// Loads the synthetic dossiers into an empty store (a store that holds dossiers is left as it
// is). Returns how many were created.
std::size_t loadDemoDossiers(app::Application& application, std::size_t count);

// Ready-to-paste curl commands against the running demo gateway.
void printDemoInstructions(std::ostream& out, const std::filesystem::path& dir, std::uint16_t port,
                           app::Application& application);

// The demo partners: (id, kind, name).
struct DemoPartner {
  const char* id;
  const char* kind;
  const char* name;
};
const std::vector<DemoPartner>& demoPartners();

}  // namespace passerelle::demo
