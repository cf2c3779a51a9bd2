// GET /metrics (issue 24): the real `passerelle serve` with a metrics port. What it serves
// passes `promtool check metrics` (Debian's prometheus package), its counters move with the
// requests made, and no dossier id or personal datum is in it.
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "command.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "serve_process.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

struct Scraped {
  int status;
  std::string body;
};

Scraped scrape(std::uint16_t port, const std::string& path = "/metrics",
               const std::string& method = "GET") {
  Poco::Net::HTTPClientSession session("127.0.0.1", port);
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string body;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
  return {static_cast<int>(response.getStatus()), body};
}

// The value of the sample `series` (name and labels exactly as written), or -1 if absent.
double sample(const std::string& text, const std::string& series) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return -1;
}

// promtool's verdict on a scrape: its exit status and what it said.
CommandResult promtoolCheck(const std::filesystem::path& dir, const std::string& text) {
  const auto file = dir / "scrape.txt";
  std::ofstream(file) << text << std::flush;
  return runCommand("/bin/sh", {"-c", "promtool check metrics < '" + file.string() + "'"});
}

TEST(MetricsTest, ScrapesPassPromtoolAndCountersMoveWithRequests) {
  auto prepared = std::make_unique<TestGateway>();
  prepared->close();
  const auto dir = prepared->dir();
  const auto port = freePort();
  const auto metrics_port = freePort();
  const auto config = prepared->writeServeConfig("metrics.json", port, [&](json& c) {
    c["metrics"] = {{"host", "127.0.0.1"}, {"port", metrics_port}};
  });

  ServeProcess serve(PASSERELLE_BINARY, config, port, dir / "ca.pem");
  const auto before = scrape(metrics_port);
  ASSERT_EQ(before.status, 200);
  const auto checked = promtoolCheck(dir, before.body);
  EXPECT_EQ(checked.status, 0) << checked.output;

  const auto caf = [&] {
    const auto p = dir / "partners" / "caf";
    return HttpsClient(port, clientContext(dir / "ca.pem", p / "cert.pem", p / "key.pem"));
  }();
  auto person = testdata::syntheticDossiers(1)[0];
  auto push = testdata::cafPushOf(person);
  push["identite"]["nom_naissance"] = "Zyxwvutsrq";
  const auto created =
      caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), push.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json()["id"].get<std::string>();
  ASSERT_EQ(caf.request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa")).status, 200);
  const HttpsClient anonymous(port, clientContext(dir / "ca.pem"));
  EXPECT_EQ(anonymous.request("GET", "/v1/dossiers/" + id).status, 401);
  // The API does not serve the metrics: an unknown path, and 401 to anyone unauthenticated.
  EXPECT_EQ(anonymous.request("GET", "/metrics").status, 401);
  {  // Plain text on the TLS port: a failed handshake.
    Poco::Net::StreamSocket raw(Poco::Net::SocketAddress("127.0.0.1", port));
    raw.sendBytes("GET / HTTP/1.1\r\n\r\n", 18);
    char buffer[64];
    raw.setReceiveTimeout(Poco::Timespan(5, 0));
    try {
      while (raw.receiveBytes(buffer, sizeof buffer) > 0) {
      }
    } catch (const Poco::Exception&) {
    }
  }

  const auto after = scrape(metrics_port);
  ASSERT_EQ(after.status, 200);
  const auto checked_after = promtoolCheck(dir, after.body);
  EXPECT_EQ(checked_after.status, 0) << checked_after.output;

  const auto moved = [&](const std::string& series) {
    return sample(after.body, series) - std::max(0.0, sample(before.body, series));
  };
  EXPECT_EQ(
      moved(R"(passerelle_http_requests_total{route="POST /v1/dossiers",status_class="2xx"})"), 1);
  EXPECT_EQ(
      moved(R"(passerelle_http_requests_total{route="GET /v1/dossiers/{id}",status_class="2xx"})"),
      1);
  EXPECT_EQ(
      moved(R"(passerelle_http_requests_total{route="GET /v1/dossiers/{id}",status_class="4xx"})"),
      1);
  EXPECT_EQ(moved(R"(passerelle_http_request_duration_seconds_count{route="POST /v1/dossiers"})"),
            1);
  EXPECT_GE(moved("passerelle_audit_appends_total"), 4) << "one entry per request";
  EXPECT_GE(moved(R"(passerelle_audit_batch_size_count)"), 1);
  EXPECT_GE(moved("passerelle_audit_append_duration_seconds_count"), 4);
  EXPECT_GE(moved("passerelle_store_write_duration_seconds_count"), 1);
  EXPECT_GE(moved(R"(passerelle_data_key_cache_lookups_total{result="hit"})") +
                moved(R"(passerelle_data_key_cache_lookups_total{result="miss"})"),
            1);
  EXPECT_GE(moved("passerelle_tls_handshake_failures_total"), 1);
  EXPECT_EQ(sample(after.body, "passerelle_audit_append_failures_total"), 0);
  EXPECT_EQ(sample(after.body, "passerelle_store_write_queue_depth"), 0);
  EXPECT_GE(sample(after.body, "passerelle_webhook_outbox_pending"), 0);
  EXPECT_GE(sample(after.body, "passerelle_webhook_outbox_oldest_pending_age_seconds"), 0);
  EXPECT_EQ(sample(after.body, R"(passerelle_export_jobs{status="queued"})"), 0);
  EXPECT_TRUE(contains(after.body, "passerelle_build_info{version=\""));
  EXPECT_TRUE(contains(after.body, "passerelle_policy_info{version=\""));

  // Nothing of the person or the dossier; every label value from a closed list.
  EXPECT_FALSE(contains(after.body, id));
  EXPECT_FALSE(contains(after.body, "Zyxwvutsrq"));
  EXPECT_FALSE(contains(after.body, push["identite"]["nir"].get<std::string>()));
  const std::regex label(R"re((\w+)="([^"]*)")re");
  for (std::sregex_iterator it(after.body.begin(), after.body.end(), label), end; it != end; ++it) {
    const auto name = (*it)[1].str();
    EXPECT_TRUE(name == "route" || name == "status_class" || name == "le" || name == "result" ||
                name == "status" || name == "version" || name == "format" || name == "outcome")
        << "unexpected label " << name;
  }

  // Only the page: any other path or method is refused.
  EXPECT_EQ(scrape(metrics_port, "/").status, 404);
  EXPECT_EQ(scrape(metrics_port, "/metrics", "POST").status, 405);
}

}  // namespace
}  // namespace passerelle::testing
