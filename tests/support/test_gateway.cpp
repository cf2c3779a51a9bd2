#include "test_gateway.hpp"

#include <Poco/Net/SecureStreamSocket.h>
#include <sqlite3.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "passerelle/demo/demo.hpp"
#include "postgres_server.hpp"

namespace passerelle::testing {

bool onPostgres() {
  const char* backend = std::getenv("PASSERELLE_TEST_BACKEND");
  return backend != nullptr && std::string(backend) == "postgresql";
}

namespace {

// Moves the demo directory's store to two new databases of the test's PostgreSQL server, in
// the configuration and in its file (which the command line reads).
std::string moveToPostgres(gateway::GatewayConfig& config, const std::filesystem::path& dir) {
  auto& server = PostgresServer::shared();
  app::PostgresConfig pg;
  const auto database = server.createDatabase("gateway");
  pg.url = server.url(database);
  pg.keys_url = server.url(server.createDatabase("gatewaykeys"));
  pg.pool_size = 4;
  pg.work_dir = dir / "node";
  config.postgresql = pg;
  config.sqlite_file.clear();
  const auto file = dir / "passerelle.json";
  nlohmann::json doc;
  {
    std::ifstream in(file);
    in >> doc;
  }
  doc["store"] = {{"postgresql",
                   {{"url", pg.url},
                    {"keys_url", pg.keys_url},
                    {"pool_size", pg.pool_size},
                    {"work_dir", "node"}}}};
  std::ofstream(file) << doc.dump(2) << "\n";
  return database;
}

}  // namespace

TestGateway::TestGateway(const std::function<void(gateway::GatewayConfig&)>& adjust)
    : config_(demo::prepareDemoDirectory({dir_.path(), 0, 0})) {
  if (onPostgres()) database_ = moveToPostgres(config_, dir_.path());
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

void TestGateway::execOnStore(const std::string& sql) const {
  if (onPostgres()) {
    PostgresServer::shared().runSql(database_, sql);
    return;
  }
  sqlite3* db = nullptr;
  const bool opened = sqlite3_open(config_.sqlite_file.c_str(), &db) == SQLITE_OK;
  char* error = nullptr;
  const bool ran = opened && sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_OK;
  const std::string why = error ? error : (db ? sqlite3_errmsg(db) : "cannot open");
  sqlite3_free(error);
  sqlite3_close(db);
  if (!ran) throw std::runtime_error("SQL on the test store failed: " + why);
}

std::vector<std::string> TestGateway::auditLogOptions() const {
  if (onPostgres()) return {"--config", (dir() / "passerelle.json").string()};
  return {"--store", app::auditFile(config_).string()};
}

std::filesystem::path TestGateway::writeServeConfig(
    const std::string& file, std::uint16_t port,
    const std::function<void(nlohmann::json&)>& adjust) const {
  auto config = nlohmann::json::parse(std::ifstream(dir() / "passerelle.json"));
  config["listen"]["port"] = port;
  if (adjust) adjust(config);
  const auto path = dir() / file;
  std::ofstream(path) << config.dump(2) << std::flush;
  return path;
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
