#include <Poco/Exception.h>
#include <gtest/gtest.h>

#include "passerelle/demo/demo_pki.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

class AuthenticationTest : public ::testing::Test {
 protected:
  // Writes a dossier as `client` and returns the author the gateway recorded.
  std::string authorOfWriteBy(const HttpsClient& client) {
    const auto r = client.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                  testdata::cafPushOf(testdata::syntheticDossiers(1)[0]).dump());
    EXPECT_TRUE(r.status == 201 || r.status == 200) << r.body;
    const auto id = r.json()["id"].get<std::string>();
    const auto history = gw_.asPartner("dpo").request("GET", "/v1/dossiers/" + id + "/history",
                                                      withPurpose("controle"));
    return history.json()["versions"][0]["author"];
  }

  static void expect401(const HttpResult& r) {
    EXPECT_EQ(r.status, 401) << r.body;
    EXPECT_EQ(r.json()["type"], "urn:passerelle:problem:unauthenticated");
    EXPECT_FALSE(r.header("WWW-Authenticate").empty());
  }

  TestGateway gw_;
};

TEST_F(AuthenticationTest, RegisteredClientCertificateIdentifiesThePartner) {
  EXPECT_EQ(authorOfWriteBy(gw_.asPartner("caf")), "caf");
}

TEST_F(AuthenticationTest, BearerTokenIdentifiesThePartner) {
  const auto token = gw_.tokenOf("caf");
  ASSERT_EQ(token.size(), 64u);
  const auto r = gw_.anonymous().request(
      "POST", "/v1/dossiers",
      {{"X-Purpose", "instruction_rsa"}, {"Authorization", "Bearer " + token}},
      testdata::cafPushOf(testdata::syntheticDossiers(1)[0]).dump());
  ASSERT_EQ(r.status, 201) << r.body;
  const auto history = gw_.asPartner("dpo").request(
      "GET", "/v1/dossiers/" + r.json()["id"].get<std::string>() + "/history",
      withPurpose("controle"));
  EXPECT_EQ(history.json()["versions"][0]["author"], "caf");
}

TEST_F(AuthenticationTest, NoCredentialIs401) {
  expect401(gw_.anonymous().request("GET", "/v1/dossiers?nir=255081416802538", withPurpose()));
  expect401(gw_.anonymous().request("GET", "/v1/unknown"));  // the API is not probed anonymously
}

TEST_F(AuthenticationTest, WrongTokenOrSchemeIs401) {
  expect401(gw_.anonymous().request(
      "GET", "/v1/dossiers?nir=255081416802538",
      {{"X-Purpose", "orientation"}, {"Authorization", "Bearer " + std::string(64, '0')}}));
  expect401(gw_.anonymous().request(
      "GET", "/v1/dossiers?nir=255081416802538",
      {{"X-Purpose", "orientation"}, {"Authorization", "Basic ZGVwOnBhc3M="}}));
}

TEST_F(AuthenticationTest, CertificateFromOurCaButNotRegisteredIs401EvenWithAValidToken) {
  auto ca = demo::DemoPki::loadCa(gw_.dir() / "ca.pem", gw_.dir() / "ca-key.pem");
  ca.issue(demo::DemoPki::Usage::client, "intrus", {}, {}, gw_.dir() / "intrus.pem",
           gw_.dir() / "intrus-key.pem");
  HttpsClient intruder(gw_.port(), clientContext(gw_.dir() / "ca.pem", gw_.dir() / "intrus.pem",
                                                 gw_.dir() / "intrus-key.pem"));
  expect401(intruder.request("GET", "/v1/dossiers?nir=255081416802538", withPurpose()));
  expect401(intruder.request(
      "GET", "/v1/dossiers?nir=255081416802538",
      {{"X-Purpose", "orientation"}, {"Authorization", "Bearer " + gw_.tokenOf("caf")}}));
}

TEST_F(AuthenticationTest, CertificateFromAnotherCaIsRefusedDuringTheHandshake) {
  auto rogue = demo::DemoPki::createCa("Rogue CA", gw_.dir() / "rogue-ca.pem",
                                       gw_.dir() / "rogue-ca-key.pem");
  rogue.issue(demo::DemoPki::Usage::client, "caf", {}, {}, gw_.dir() / "rogue.pem",
              gw_.dir() / "rogue-key.pem");
  HttpsClient rogue_client(gw_.port(), clientContext(gw_.dir() / "ca.pem", gw_.dir() / "rogue.pem",
                                                     gw_.dir() / "rogue-key.pem"));
  EXPECT_THROW(rogue_client.request("GET", "/healthz"), Poco::Exception);
  EXPECT_EQ(gw_.anonymous().request("GET", "/healthz").status, 200) << "the server must survive";
}

TEST_F(AuthenticationTest, ProtocolsOlderThanTls12AreRefused) {
  auto context = clientContext(gw_.dir() / "ca.pem");
  context->disableProtocols(Poco::Net::Context::PROTO_TLSV1_2 | Poco::Net::Context::PROTO_TLSV1_3);
  HttpsClient old_client(gw_.port(), context);
  EXPECT_THROW(old_client.request("GET", "/healthz"), Poco::Exception);
}

TEST_F(AuthenticationTest, TheClientVerifiesTheServerAgainstTheDemoCa) {
  testing::TempDir other;
  demo::DemoPki::createCa("Other CA", other / "ca.pem", other / "ca-key.pem");
  HttpsClient wrong_trust(gw_.port(), clientContext(other / "ca.pem"));
  EXPECT_THROW(wrong_trust.request("GET", "/healthz"), Poco::Exception);
}

}  // namespace
}  // namespace passerelle::testing
