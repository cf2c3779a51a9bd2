// Every malformed request gets a problem+json 4xx with its request id and an audit entry, and
// no answer quotes what the client sent (issue 21, §4). Raw bytes over TLS, since no HTTP
// client library sends these messages.
#include <gtest/gtest.h>

#include <fstream>
#include <thread>

#include "passerelle/store/audit_store.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

// A raw answer, read as much as these tests need.
struct RawAnswer {
  int status = 0;
  std::string head, body;
  std::string header(const std::string& name) const {
    const auto at = head.find("\r\n" + name + ": ");
    if (at == std::string::npos) return "";
    const auto from = at + name.size() + 4;
    return head.substr(from, head.find("\r\n", from) - from);
  }
};

RawAnswer parse(const std::string& raw) {
  RawAnswer a;
  if (raw.rfind("HTTP/1.", 0) != 0 || raw.size() < 12) return a;
  a.status = std::stoi(raw.substr(9, 3));
  const auto end = raw.find("\r\n\r\n");
  a.head = raw.substr(0, end);
  if (end != std::string::npos) a.body = raw.substr(end + 4);
  return a;
}

class MalformedRequestTest : public ::testing::Test {
 protected:
  MalformedRequestTest() {
    const auto r =
        gw_.asPartner("caf").request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                     testdata::cafPushOf(testdata::syntheticDossiers(1)[0]).dump());
    id_ = r.json()["id"];
  }
  ~MalformedRequestTest() override {
    EXPECT_EQ(gw_.anonymous().request("GET", "/healthz").status, 200) << "the server survived";
  }

  // The answer to `bytes`, which must be a 400 malformed-request problem, identified and
  // recorded in the audit log under the id it gives.
  RawAnswer expectMalformed(const std::string& bytes, const std::string& partner = "") {
    const auto a = parse(gw_.rawExchange(bytes, partner));
    EXPECT_EQ(a.status, 400) << a.head;
    EXPECT_NE(a.head.find("Content-Type: application/problem+json"), std::string::npos) << a.head;
    const auto id = a.header("X-Request-Id");
    EXPECT_FALSE(id.empty()) << a.head;
    if (a.status == 400) {
      const auto problem = json::parse(a.body);
      EXPECT_EQ(problem["type"], "urn:passerelle:problem:malformed-request") << a.body;
    }
    EXPECT_FALSE(a.header("X-Audit-Entry").empty()) << a.head;
    store::AuditQuery query;
    query.limit = 10000;
    bool recorded = false;
    for (const auto& row : gw_.gateway().app().auditLog().store().search(query))
      if (row.entry && row.entry->find("\"request_id\":\"" + id + "\"") != std::string::npos &&
          row.entry->find("\"status\":400") != std::string::npos)
        recorded = true;
    EXPECT_TRUE(recorded) << "no audit entry for request " << id;
    return a;
  }

  TestGateway gw_;
  std::string id_;
};

TEST_F(MalformedRequestTest, ABadPercentEncodingIs400WithOrWithoutCredentials) {
  expectMalformed("GET /v1/dossiers/%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  expectMalformed(
      "GET /v1/dossiers/%zz HTTP/1.1\r\nHost: x\r\nX-Purpose: accompagnement\r\n"
      "Connection: close\r\n\r\n",
      "departement");
  expectMalformed("GET /v1/changes?a=%g1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                  "departement");
}

TEST_F(MalformedRequestTest, AContentLengthThatIsNotAByteCountIs400AndClosesTheConnection) {
  for (const std::string length : {"abc", "73786976294838206464", "-1", "+5", " 5x", "1 2"}) {
    SCOPED_TRACE(length);
    const auto a = expectMalformed("PUT /v1/dossiers/" + id_ +
                                       "/sections/contact HTTP/1.1\r\nHost: x\r\nX-Purpose: "
                                       "accompagnement\r\nContent-Type: application/json\r\n"
                                       "Content-Length: " +
                                       length + "\r\n\r\n{}",
                                   "departement");
    EXPECT_NE(a.header("Connection"), "Keep-Alive");
    EXPECT_EQ(a.body.find(length), std::string::npos) << "the value is not quoted back";
  }
  // A Content-Length beside a chunked body: which one frames the message is ambiguous.
  expectMalformed("PUT /v1/dossiers/" + id_ +
                      "/sections/contact HTTP/1.1\r\nHost: x\r\nX-Purpose: accompagnement\r\n"
                      "Content-Type: application/json\r\nContent-Length: 2\r\n"
                      "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                  "departement");
}

TEST_F(MalformedRequestTest, HeadersPocoCannotParseGetTheGatewaysOwnAnswer) {
  // A header past Poco's field limit (8 KiB), a request line that is not HTTP.
  expectMalformed("GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(20000, 'a') +
                  "\r\n\r\n");
  expectMalformed("GET " + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", "departement");
}

TEST_F(MalformedRequestTest, AHeaderTheGatewayReadsMayComeOnlyOnce) {
  const auto a = expectMalformed(
      "GET /v1/dossiers/" + id_ +
          " HTTP/1.1\r\nHost: x\r\nX-Purpose: controle\r\nX-Purpose: accompagnement\r\n"
          "Connection: close\r\n\r\n",
      "departement");
  EXPECT_NE(a.body.find("X-Purpose"), std::string::npos) << "the header is named: " << a.body;
}

TEST_F(MalformedRequestTest, ANumberNoDoubleHoldsIs400) {
  const auto r = gw_.asPartner("departement")
                     .request("PUT", "/v1/dossiers/" + id_ + "/sections/parcours", withPurpose(),
                              R"({"date_entree": 1e400})");
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.body.find("1e400"), std::string::npos);
}

TEST_F(MalformedRequestTest, NoAnswerQuotesWhatTheClientSent) {
  auto dept = gw_.asPartner("departement");
  // A query parameter's name: its role is said, never its text, even when it is not UTF-8.
  for (const std::string query : {"nir2850712345678=1", "%ff=1"}) {
    const auto r = dept.request("GET", "/v1/changes?" + query, withPurpose());
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.body.find(query.substr(0, query.find('='))), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find('\xff'), std::string::npos);
    EXPECT_NO_THROW(r.json());
  }
  // A study or profile id, an export file name.
  auto evaluateur = gw_.asPartner("evaluateur");
  for (const auto& order : {json{{"study", "ETUDE-SECRETE-42"}, {"profile", "annexe-e"}},
                            json{{"study", "etude-demo"}, {"profile", "PROFIL-SECRET-42"}}}) {
    const auto r = evaluateur.request("POST", "/v1/exports", {{"Content-Type", "application/json"}},
                                      order.dump());
    EXPECT_EQ(r.status, 404) << r.body;
    EXPECT_EQ(r.body.find("SECRET"), std::string::npos) << r.body;
  }
}

TEST_F(MalformedRequestTest, AFailingCredentialFailsEvenBesideAGoodOne) {
  auto dept = gw_.asPartner("departement");
  const auto read = [&](const std::string& token) {
    return dept.request("GET", "/v1/dossiers/" + id_,
                        {{"X-Purpose", "accompagnement"}, {"Authorization", "Bearer " + token}});
  };
  EXPECT_EQ(read("not-a-token").status, 401);
  EXPECT_EQ(read(gw_.tokenOf("caf")).status, 401) << "a certificate and a token of two partners";
  EXPECT_EQ(read(gw_.tokenOf("departement")).status, 200);
}

// The import spool file is named by the server: two imports sent at once with one request id
// both go through, and leave no file behind.
TEST_F(MalformedRequestTest, TwoImportsWithOneRequestIdDoNotShareASpoolFile) {
  std::string flux;
  {
    std::ifstream in(std::filesystem::path(PASSERELLE_TEST_DATA) / "caf" / "flux-mensuel.xml",
                     std::ios::binary);
    flux.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::vector<int> statuses(2);
  std::vector<std::thread> threads;
  for (int i = 0; i < 2; ++i)
    threads.emplace_back([&, i] {
      statuses[static_cast<std::size_t>(i)] = gw_.asPartner("caf")
                                                  .request("POST", "/v1/imports/caf-rsa-xml",
                                                           {{"X-Purpose", "instruction_rsa"},
                                                            {"Content-Type", "application/xml"},
                                                            {"X-Request-Id", "same-id-for-both"}},
                                                           flux)
                                                  .status;
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(statuses, (std::vector<int>{200, 200}));
  const auto spool = app::localPath(gw_.config(), "imports");
  ASSERT_TRUE(std::filesystem::exists(spool));
  EXPECT_TRUE(std::filesystem::is_empty(spool)) << "the spooled files are removed";
}

// The DPO's CSV does not hand a spreadsheet a formula: a request id "-2-3" arrives as text.
TEST_F(MalformedRequestTest, TheAuditCsvNeutralisesFormulas) {
  gw_.asPartner("departement")
      .request("GET", "/v1/dossiers/" + id_,
               {{"X-Purpose", "accompagnement"}, {"X-Request-Id", "-2-3"}});
  const auto csv =
      gw_.asPartner("dpo").request("GET", "/v1/audit/entries?limit=1000", {{"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_NE(csv.body.find(",'-2-3,"), std::string::npos) << csv.body.substr(0, 400);
  EXPECT_EQ(csv.body.find(",-2-3,"), std::string::npos);
}

}  // namespace
}  // namespace passerelle::testing
