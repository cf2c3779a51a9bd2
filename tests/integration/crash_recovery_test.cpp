#include <Poco/Net/ServerSocket.h>
#include <Poco/Pipe.h>
#include <Poco/Process.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "passerelle/gateway/demo.hpp"
#include "passerelle/gateway/demo_data.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

std::uint16_t freePort() {
  Poco::Net::ServerSocket probe(Poco::Net::SocketAddress("127.0.0.1", 0));
  return probe.address().port();
}

// The real `passerelle serve` binary in a child process, killed with SIGKILL: no destructor,
// no flush, no orderly shutdown.
class ServeProcess {
 public:
  ServeProcess(const std::filesystem::path& config, std::uint16_t port,
               const std::filesystem::path& ca)
      : handle_(Poco::Process::launch(PASSERELLE_BINARY, {"serve", "--config", config.string()},
                                      nullptr, nullptr, nullptr)) {
    const HttpsClient probe(port, clientContext(ca));
    for (int attempt = 0; attempt < 200; ++attempt) {
      try {
        if (probe.request("GET", "/healthz").status == 200) return;
      } catch (const Poco::Exception&) {
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    throw std::runtime_error("passerelle serve did not come up");
  }
  void killHard() {
    Poco::Process::kill(handle_);
    handle_.wait();
  }
  ~ServeProcess() {
    try {
      Poco::Process::kill(handle_);
      handle_.wait();
    } catch (const Poco::Exception&) {
    }
  }

 private:
  Poco::ProcessHandle handle_;
};

TEST(CrashRecoveryTest, EveryAcknowledgedWriteSurvivesSigkill) {
  TempDir dir;
  const auto port = freePort();
  gateway::prepareDemoDirectory({dir.path(), port, 0});
  json config = json::parse(std::ifstream(dir / "passerelle.json"));
  config["listen"]["port"] = port;
  std::ofstream(dir / "passerelle.json") << config.dump();

  auto clientOf = [&](const char* id) {
    const auto p = dir / "partners" / id;
    return HttpsClient(port, clientContext(dir / "ca.pem", p / "cert.pem", p / "key.pem"));
  };
  const auto caf = clientOf("caf");
  const auto client = clientOf("departement");
  std::map<std::string, json> acknowledged;  // dossier id -> last acknowledged contact
  {
    ServeProcess server(dir / "passerelle.json", port, dir / "ca.pem");
    for (const auto& body : gateway::syntheticDossiers(10)) {
      const auto created = caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                       gateway::cafPushOf(body).dump());
      ASSERT_EQ(created.status, 201) << created.body;
      const auto id = created.json()["id"].get<std::string>();
      json contact = body["contact"];
      contact["telephone"] = "+33 1 00 00 00 01";
      ASSERT_EQ(client
                    .request("PUT", "/v1/dossiers/" + id + "/sections/contact", withPurpose(),
                             contact.dump())
                    .status,
                200);
      acknowledged[id] = contact;
    }
    server.killHard();
  }
  ServeProcess restarted(dir / "passerelle.json", port, dir / "ca.pem");
  for (const auto& [id, contact] : acknowledged) {
    const auto r = client.request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose());
    ASSERT_EQ(r.status, 200) << id;
    EXPECT_EQ(r.json(), contact);
    EXPECT_EQ(r.header("ETag"), "\"2\"");
  }
}

}  // namespace
}  // namespace passerelle::testing
