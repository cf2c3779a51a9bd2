#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

// Every test here ends by checking that the server still answers.
class HostileInputTest : public ::testing::Test {
 protected:
  HostileInputTest() : dept_(gw_.asPartner("departement")) {
    const auto r =
        gw_.asPartner("caf").request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                     testdata::cafPushOf(testdata::syntheticDossiers(1)[0]).dump());
    id_ = r.json()["id"];
  }
  ~HostileInputTest() override {
    EXPECT_EQ(gw_.anonymous().request("GET", "/healthz").status, 200)
        << "the server did not survive";
  }

  std::string sectionPath(const std::string& s) const {
    return "/v1/dossiers/" + id_ + "/sections/" + s;
  }

  std::string rawExchange(const std::string& bytes) {
    return gw_.rawExchange(bytes, "departement");
  }

  TestGateway gw_;
  HttpsClient dept_;
  std::string id_;
};

TEST_F(HostileInputTest, OversizedBodyIs413BeforeItIsRead) {
  const std::string big = "{\"email\":\"" + std::string(100 * 1024, 'a') + "\"}";
  const auto r = dept_.request("PUT", sectionPath("contact"), withPurpose(), big);
  EXPECT_EQ(r.status, 413) << r.body;
  EXPECT_EQ(r.json()["type"], "urn:passerelle:problem:payload-too-large");
}

TEST_F(HostileInputTest, OversizedChunkedBodyIs413) {
  const std::string head =
      "PUT " + sectionPath("contact") +
      " HTTP/1.1\r\nHost: x\r\nX-Purpose: accompagnement\r\nContent-Type: application/json\r\n"
      "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  std::string chunks;
  for (int i = 0; i < 20; ++i) chunks += "1000\r\n" + std::string(0x1000, 'a') + "\r\n";
  const auto reply = rawExchange(head + chunks + "0\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply.substr(0, 200);
}

TEST_F(HostileInputTest, DeeplyNestedJsonIs400) {
  const std::string deep = std::string(20000, '[') + std::string(20000, ']');
  const auto r = dept_.request("PUT", sectionPath("contact"), withPurpose(), deep);
  EXPECT_EQ(r.status, 400) << r.body;
}

TEST_F(HostileInputTest, InvalidUtf8Is400) {
  const auto r =
      dept_.request("PUT", sectionPath("contact"), withPurpose(), "{\"email\":\"a\xff\xfe@b.fr\"}");
  EXPECT_EQ(r.status, 400) << r.body;
}

TEST_F(HostileInputTest, GarbageInsteadOfHttpIsAnsweredOrDropped) {
  const auto reply = rawExchange(std::string("\x00\x01\x02 garbage \xff\r\n\r\n", 17));
  EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.", 0) == 0) << reply.substr(0, 100);
}

TEST_F(HostileInputTest, PlainHttpOnTheTlsPortGetsNothing) {
  Poco::Net::StreamSocket plain(Poco::Net::SocketAddress("127.0.0.1", gw_.port()));
  plain.setReceiveTimeout(Poco::Timespan(5, 0));
  const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  plain.sendBytes(request.data(), static_cast<int>(request.size()));
  char buf[256];
  int n = 0;
  try {
    n = plain.receiveBytes(buf, sizeof buf);
  } catch (const Poco::Exception&) {
    n = 0;
  }
  EXPECT_EQ(std::string(buf, static_cast<std::size_t>(std::max(n, 0))).find("\"status\""),
            std::string::npos);
}

TEST_F(HostileInputTest, OversizedHeaderIsRefused) {
  const auto reply = rawExchange(
      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') + "\r\n\r\n");
  EXPECT_EQ(reply.find("\"status\":\"ok\""), std::string::npos);
  EXPECT_TRUE(reply.empty() || reply.rfind("HTTP/1.1 400", 0) == 0) << reply.substr(0, 100);
}

TEST_F(HostileInputTest, TruncatedBodyTimesOutWith408AndWritesNothing) {
  const std::string head =
      "PUT " + sectionPath("contact") +
      " HTTP/1.1\r\nHost: x\r\nX-Purpose: accompagnement\r\nContent-Type: application/json\r\n"
      "Content-Length: 200\r\n\r\n{\"email\":";
  const auto reply = rawExchange(head);
  EXPECT_EQ(reply.rfind("HTTP/1.1 408", 0), 0u) << reply;
  const auto history =
      dept_.request("GET", "/v1/dossiers/" + id_ + "/history", withPurpose()).json();
  for (const auto& v : history["versions"]) EXPECT_EQ(v["version"], 1);
}

TEST_F(HostileInputTest, ConcurrentClientsAllSucceedAndNoWriteIsLost) {
  constexpr int kThreads = 8, kWritesEach = 10;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      // The Département and the CAF (a source) both write the contact section.
      const auto client = gw_.asPartner(t % 2 ? "departement" : "caf");
      const auto purpose = withPurpose(t % 2 ? "accompagnement" : "instruction_rsa");
      for (int i = 0; i < kWritesEach; ++i) {
        const json contact = {
            {"email", std::to_string(t) + "-" + std::to_string(i) + "@exemple.invalid"}};
        const auto put = client.request("PUT", sectionPath("contact"), purpose, contact.dump());
        if (put.status != 200) {
          ++failures;
          ADD_FAILURE() << put.status << " " << put.body;
        }
        if (client.request("GET", "/v1/dossiers/" + id_, purpose).status != 200) ++failures;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  const auto contact = dept_.request("GET", sectionPath("contact"), withPurpose());
  EXPECT_EQ(contact.header("ETag"), "\"" + std::to_string(1 + kThreads * kWritesEach) + "\"");
}

}  // namespace
}  // namespace passerelle::testing
