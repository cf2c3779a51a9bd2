#include "test_gateway.hpp"

#include <Poco/Net/SecureStreamSocket.h>

#include <fstream>

#include "passerelle/demo/demo.hpp"

namespace passerelle::testing {

TestGateway::TestGateway(const std::function<void(gateway::GatewayConfig&)>& adjust)
    : config_(demo::prepareDemoDirectory({dir_.path(), 0, 0})) {
  config_.server.limits.max_body_bytes = 64 * 1024;
  config_.server.limits.request_timeout_seconds = 2;
  if (adjust) adjust(config_);
  gateway_ = std::make_unique<gateway::Gateway>(config_);
  start();
}

TestGateway::~TestGateway() {
  stop();
}

void TestGateway::start() {
  gateway_->start();
}
void TestGateway::stop() {
  if (gateway_) gateway_->stop();
}

void TestGateway::close() {
  gateway_.reset();
}

void TestGateway::restart(const std::function<void(gateway::GatewayConfig&)>& adjust) {
  gateway_.reset();
  if (adjust) adjust(config_);
  gateway_ = std::make_unique<gateway::Gateway>(config_);
  start();
}

HttpsClient TestGateway::asPartner(const std::string& id) const {
  const auto p = dir() / "partners" / id;
  return HttpsClient(port(), clientContext(dir() / "ca.pem", p / "cert.pem", p / "key.pem"));
}

std::string TestGateway::tokenOf(const std::string& id) const {
  std::ifstream in(dir() / "partners" / id / "token");
  std::string token;
  in >> token;
  return token;
}

HttpsClient TestGateway::anonymous() const {
  return HttpsClient(port(), clientContext(dir() / "ca.pem"));
}

std::map<std::string, std::string> withPurpose(const std::string& purpose) {
  return {{"X-Purpose", purpose}};
}

std::string TestGateway::rawExchange(const std::string& bytes,
                                     const std::string& partner_id) const {
  const auto p = dir() / "partners" / partner_id;
  Poco::Net::SecureStreamSocket socket(
      Poco::Net::SocketAddress("127.0.0.1", port()),
      partner_id.empty() ? clientContext(dir() / "ca.pem")
                         : clientContext(dir() / "ca.pem", p / "cert.pem", p / "key.pem"));
  socket.setReceiveTimeout(Poco::Timespan(10, 0));
  socket.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
  std::string out;
  char buf[4096];
  try {
    for (int n; (n = socket.receiveBytes(buf, sizeof buf)) > 0;)
      out.append(buf, static_cast<std::size_t>(n));
  } catch (const Poco::Exception&) {
    // the server may end the connection abruptly; what it sent before is what matters
  }
  return out;
}

}  // namespace passerelle::testing
