// The imports, the change feed and the webhooks through the real gateway over TLS: POST
// /v1/imports with its audit entries and refusals, GET /v1/changes followed page by page, and a
// webhook receiver (TLS, signatures checked) that goes down and comes back across a restart.
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "child_process.hpp"
#include "passerelle/app/webhook_dispatcher.hpp"
#include "passerelle/demo/demo.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"
#include "wait_for.hpp"
#include "webhook_receiver.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kData = fs::path(PASSERELLE_TEST_DATA);
const std::string kSecret = "secret-de-test-webhook-0123456789abcdef";

std::string fileText(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::map<std::string, std::string> purpose(const std::string& p,
                                           const std::string& type = "application/xml") {
  return {{"X-Purpose", p}, {"Content-Type", type}};
}

std::size_t auditCount(TestGateway& gw, const std::string& action) {
  store::AuditQuery query;
  query.action = action;
  query.limit = 10000;
  return gw.gateway().app().auditLog().store().search(query).size();
}

TEST(ImportApiTest, ACafFluxIsImportedWithOneAuditEntryPerPerson) {
  TestGateway gw;
  gw.start();
  const auto caf = gw.asPartner("caf");
  const auto r = caf.request("POST", "/v1/imports/caf-rsa-xml", purpose("instruction_rsa"),
                             fileText(kData / "caf" / "flux-mensuel.xml"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto report = r.json();
  EXPECT_EQ(report["records"], 3);
  EXPECT_EQ(report["created"], 5);
  EXPECT_EQ(report["rejected"], 0);
  EXPECT_GT(report["ignored"]["Grossesse"].get<int>(), 0);
  EXPECT_EQ(auditCount(gw, "dossier_import"), 5u);
  EXPECT_EQ(auditCount(gw, "import_run"), 1u) << "the request's own entry";
  EXPECT_TRUE(fs::is_empty(app::localPath(gw.config(), "imports")))
      << "the spooled file is removed";

  // Again: nothing new, still one entry per person (they were matched).
  const auto again = caf.request("POST", "/v1/imports/caf-rsa-xml", purpose("instruction_rsa"),
                                 fileText(kData / "caf" / "flux-mensuel.xml"));
  EXPECT_EQ(again.json()["unchanged"], 5);
  EXPECT_EQ(auditCount(gw, "dossier_import"), 10u);
}

TEST(ImportApiTest, RefusalsAreProblemsAndImportNothing) {
  TestGateway gw([](gateway::GatewayConfig& c) { c.server.limits.max_import_bytes = 2000; });
  gw.start();
  const auto flux = fileText(kData / "caf" / "flux-mensuel.xml");
  const auto caf = gw.asPartner("caf");
  auto r = caf.request("POST", "/v1/imports/caf-rsa-xml", purpose("instruction_rsa"), flux);
  EXPECT_EQ(r.status, 413) << r.body;
  r = caf.request("POST", "/v1/imports/excel", purpose("instruction_rsa"), "x");
  EXPECT_EQ(r.status, 404);
  r = caf.request("POST", "/v1/imports/caf-rsa-xml", purpose("instruction_rsa"),
                  flux.substr(0, 1500));
  EXPECT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.json()["type"], "urn:passerelle:problem:unusable-file");
  r = gw.asPartner("evaluateur")
          .request("POST", "/v1/imports/ndjson", purpose("evaluation", "application/x-ndjson"),
                   "{}\n");
  EXPECT_EQ(r.status, 403) << "an évaluateur writes nothing";
  r = caf.request("POST", "/v1/imports/caf-rsa-xml", {{"Content-Type", "application/xml"}}, "<x/>");
  EXPECT_EQ(r.status, 400) << "the purpose is required";
  EXPECT_EQ(gw.gateway().app().store().dossierCount(), 0);
}

// Every change a partner may see, following the feed `limit` at a time.
std::vector<json> follow(const HttpsClient& client, const std::string& p, int limit) {
  std::vector<json> all;
  std::int64_t cursor = 0;
  for (int guard = 0; guard < 1000; ++guard) {
    const auto r = client.request(
        "GET", "/v1/changes?since=" + std::to_string(cursor) + "&limit=" + std::to_string(limit),
        {{"X-Purpose", p}});
    EXPECT_EQ(r.status, 200) << r.body;
    const auto page = r.json();
    for (const auto& c : page["changes"]) all.push_back(c);
    cursor = page["next"].get<std::int64_t>();
    if (!page["more"].get<bool>()) break;
  }
  return all;
}

TEST(ChangeFeedTest, EachPartnerSeesTheChangesItMayReadAndMissesNoneFollowingPageByPage) {
  TestGateway gw;
  gw.start();
  gw.asPartner("caf").request("POST", "/v1/imports/caf-rsa-xml", purpose("instruction_rsa"),
                              fileText(kData / "caf" / "flux-mensuel.xml"));
  const auto dep = gw.asPartner("departement");
  const auto everything = follow(dep, "accompagnement", 1000);
  EXPECT_GE(everything.size(), 20u) << "5 dossiers created with their sections";
  EXPECT_EQ(follow(dep, "accompagnement", 3), everything) << "small pages miss nothing";
  for (std::size_t i = 1; i < everything.size(); ++i)
    EXPECT_LT(everything[i - 1]["cursor"], everything[i]["cursor"]);

  const auto ft = gw.asPartner("france-travail");
  EXPECT_TRUE(follow(ft, "accompagnement", 100).empty())
      << "France Travail follows no one yet: it sees no change";
  const auto r =
      ft.request("POST", "/v1/imports/france-travail-csv", purpose("accompagnement", "text/csv"),
                 fileText(kData / "france-travail" / "extrait-principal.csv"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto seen = follow(ft, "accompagnement", 100);
  std::set<std::string> dossiers, sections;
  for (const auto& c : seen) {
    dossiers.insert(c["dossier"]);
    sections.insert(c["section"]);
  }
  EXPECT_EQ(dossiers.size(), 2u) << "the two people it now follows";
  EXPECT_TRUE(sections.count("situation_pro"));
  EXPECT_FALSE(sections.count("foyer")) << "France Travail may not read the household";
  EXPECT_EQ(ft.request("GET", "/v1/changes?since=-1", {{"X-Purpose", "accompagnement"}}).status,
            400);
}

TEST(WebhookTest, EveryChangeArrivesSignedAndIsRetriedAcrossOutagesAndRestarts) {
  std::unique_ptr<WebhookReceiver> receiver;
  TestGateway gw([&](gateway::GatewayConfig& c) {
    c.webhooks.poll_ms = 50;
    c.webhooks.backoff_base_ms = 100;
    c.webhooks.backoff_max_seconds = 1;
    c.webhooks.ca_file = c.server.tls.client_ca;  // the demo CA signed the receiver's certificate
    if (!receiver) receiver = std::make_unique<WebhookReceiver>(c.server.tls, kSecret);
    // The Département follows every change by webhook.
    std::ifstream in(c.partners_file);
    auto registry = json::parse(in);
    for (auto& p : registry["partners"])
      if (p["id"] == "departement")
        p["webhook"] = {{"url", "https://127.0.0.1:" + std::to_string(receiver->port()) + "/hook"},
                        {"secret", kSecret},
                        {"purpose", "accompagnement"}};
    std::ofstream(c.partners_file) << registry.dump(2);
  });
  gw.start();
  gw.asPartner("caf").request("POST", "/v1/imports/caf-rsa-xml", purpose("instruction_rsa"),
                              fileText(kData / "caf" / "flux-mensuel.xml"));
  ASSERT_TRUE(waitFor([&] { return receiver->dossiers().size() >= 5; }, std::chrono::seconds(20)))
      << receiver->dossiers().size() << " notifications";
  const auto notified = receiver->dossiers();
  EXPECT_EQ(std::set<std::string>(notified.begin(), notified.end()).size(), 5u)
      << "one notification per dossier created";

  // The receiver goes down; the daily flux changes four dossiers.
  receiver->setUp(false);
  gw.asPartner("caf").request("POST", "/v1/imports/caf-rsa-xml", purpose("instruction_rsa"),
                              fileText(kData / "caf" / "flux-quotidien.xml"));
  // Until the four notifications are queued and retries have begun.
  const auto dep = gw.asPartner("departement");
  json deliveries;
  const bool queued = waitFor(
      [&] {
        const auto r = dep.request("GET", "/v1/webhooks/deliveries?pending=true", {});
        if (r.status != 200) return false;
        deliveries = r.json()["deliveries"];
        int tried = 0;
        for (const auto& d : deliveries) tried += d["attempts"].get<int>();
        return deliveries.size() == 4 && tried >= 2;
      },
      std::chrono::seconds(20));
  ASSERT_TRUE(queued) << deliveries.dump();
  int attempts = 0;
  for (const auto& d : deliveries) {
    attempts += d["attempts"].get<int>();
    EXPECT_TRUE(d["delivered_at"].is_null());
    EXPECT_FALSE(d["next_attempt_at"].is_null()) << "when the next attempt is due";
    if (d["attempts"].get<int>() == 0) continue;
    EXPECT_EQ(d["last_status"], 503);
    EXPECT_EQ(d["last_error"], "HTTP 503");
  }
  EXPECT_GE(attempts, 2) << "the attempts are visible to the Département";
  EXPECT_EQ(
      gw.asPartner("caf").request("GET", "/v1/webhooks/deliveries?partner=departement", {}).status,
      403)
      << "a partner sees its own deliveries only";

  // The gateway restarts while the receiver is down; then the receiver comes back.
  gw.restart();
  receiver->setUp(true);
  ASSERT_TRUE(
      waitFor([&] { return receiver->acknowledged().size() >= 9; }, std::chrono::seconds(20)))
      << receiver->acknowledged().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // nothing more should come
  for (const auto& [id, times] : receiver->acknowledged())
    EXPECT_EQ(times, 1) << "delivery " << id << " acknowledged once, never sent again";
  EXPECT_EQ(receiver->acknowledged().size(), 9u) << "5 created, then 4 changed: none lost";
  EXPECT_EQ(receiver->badSignatures(), 0u);
  EXPECT_TRUE(gw.asPartner("departement")
                  .request("GET", "/v1/webhooks/deliveries?pending=true", {})
                  .json()["deliveries"]
                  .empty());
}

}  // namespace
}  // namespace passerelle::testing

namespace passerelle::testing {
namespace {

// The reader streams: checking and mapping a 50,000-household flux takes about the memory that
// 5,000 take. Each run is the real command in its own process (peak resident set from wait4).
TEST(LargeFluxTest, A50000HouseholdFluxIsReadInBoundedMemory) {
  TempDir dir;
  demo::prepareDemoDirectory({dir.path(), 0, 0});
  // Under AddressSanitizer, freed memory waits in a quarantine (up to 256 MB) before reuse,
  // which would read as growth; without it the sanitised command is as flat as the optimised
  // one (234 MB for 10,000 and 100,000 households; 32 MB optimised).
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string options =
      std::string(asan ? asan : "") + ":quarantine_size_mb=0:thread_local_quarantine_size_kb=0";
  ::setenv("ASAN_OPTIONS", options.c_str(), 1);
  const auto config = (dir.path() / "passerelle.json").string();
  const auto run = [&](std::size_t households) {
    const auto flux = dir.path() / ("flux-" + std::to_string(households) + ".xml");
    const auto persons = testdata::writeSyntheticCafFlux(flux, households);
    const auto report_file = dir.path() / "report.json";
    const auto r = measure({PASSERELLE_BINARY, "import", "caf-rsa-xml", flux.string(), "--config",
                            config, "--as", "caf", "--dry-run", "--report", report_file.string()},
                           dir.path() / "import.log");
    const auto report = json::parse(std::ifstream(report_file));
    EXPECT_EQ(report["records"], households);
    EXPECT_EQ(report["persons"], persons);
    EXPECT_EQ(report["rejected"], 0) << report["rejections"].dump();
    EXPECT_EQ(report["ignored"]["Grossesse"], persons) << "minimisation, person by person";
    fs::remove(flux);
    return r.peak_mb;
  };
  const double small = run(5000);
  const double large = run(50000);
  std::cout << "peak resident set: 5,000 households " << small << " MB, 50,000 " << large
            << " MB\n";
  EXPECT_LT(large, small + 16) << "5,000 households: " << small << " MB, 50,000: " << large
                               << " MB";
}

// A reconciliation decision reaches the partner whose record opened the case, by webhook: the
// case, the decision and its own record's place, not the dossier.
TEST(WebhookTest, TheSourceOfACaseIsToldTheDecision) {
  std::unique_ptr<WebhookReceiver> receiver;
  TestGateway gw([&](gateway::GatewayConfig& c) {
    c.webhooks.poll_ms = 50;
    c.webhooks.ca_file = c.server.tls.client_ca;
    if (!receiver) receiver = std::make_unique<WebhookReceiver>(c.server.tls, kSecret);
    std::ifstream in(c.partners_file);
    auto registry = json::parse(in);
    for (auto& p : registry["partners"])
      if (p["id"] == "caf")
        p["webhook"] = {{"url", "https://127.0.0.1:" + std::to_string(receiver->port()) + "/hook"},
                        {"secret", kSecret},
                        {"purpose", "instruction_rsa"}};
    std::ofstream(c.partners_file) << registry.dump(2);
  });
  gw.start();
  auto caf = gw.asPartner("caf");
  auto dept = gw.asPartner("departement");
  const auto people = testdata::syntheticDossiers(2);
  const auto holder = caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                  testdata::cafPushOf(people[0]).dump());
  ASSERT_EQ(holder.status, 201) << holder.body;
  ASSERT_EQ(
      dept.request(
              "PUT",
              "/v1/dossiers/" + holder.json()["id"].get<std::string>() + "/sections/identifiants",
              withPurpose("accompagnement"), json{{"france_travail", "FTNOTICE1"}}.dump())
          .status,
      200);
  auto push = testdata::cafPushOf(people[1]);
  push["identifiants"]["france_travail"] = "FTNOTICE1";
  const auto refused =
      caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), push.dump());
  ASSERT_EQ(refused.status, 409) << refused.body;
  const std::string case_id = refused.json()["reconciliation_case"];
  ASSERT_EQ(
      dept.request("POST", "/v1/reconciliation/" + case_id, withPurpose("accompagnement"),
                   json{{"decision", "different_people"}, {"identifier_kept_by", nullptr}}.dump())
          .status,
      200);
  ASSERT_TRUE(waitFor([&] { return !receiver->notices().empty(); }, std::chrono::seconds(20)));
  const auto notice = receiver->notices().front();
  EXPECT_EQ(notice["type"], "reconciliation_decided");
  EXPECT_EQ(notice["reconciliation_case"], case_id);
  EXPECT_EQ(notice["decision"], "different_people");
  EXPECT_EQ(notice["identifier_kinds"], json::array({"france_travail"}));
  EXPECT_EQ(receiver->notices().size(), 1u);
}

}  // namespace
}  // namespace passerelle::testing
