// What the DPO's console reads besides the search and the report (issue 25), through the real
// server on both backends: the log's integrity and a full verification recorded in the log,
// refused requests counted by partner and action, the exports listed with their signed
// manifests; and, on SQLite, a log altered on disk that the verification catches.
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <thread>

#include "passerelle/app/config.hpp"
#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

class ConsoleViewsTest : public ::testing::Test {
 protected:
  ConsoleViewsTest() : caf_(gw_.asPartner("caf")), dpo_(gw_.asPartner("dpo")) {}

  HttpResult create(int n) {
    const auto person = testdata::syntheticDossiers(n + 1)[n];
    return caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                        testdata::cafPushOf(person).dump());
  }
  json get(HttpsClient& client, const std::string& path) {
    const auto r = client.request("GET", path);
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    return r.json();
  }

  TestGateway gw_;
  HttpsClient caf_, dpo_;
};

TEST_F(ConsoleViewsTest, IntegrityShowsTheLogAndTheLastFullVerificationRecordedInIt) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(create(i).status, 201);
  ASSERT_EQ(dpo_.request("POST", "/v1/audit/checkpoint").status, 201);
  ASSERT_EQ(create(3).status, 201);
  ASSERT_EQ(dpo_.request("POST", "/v1/audit/checkpoint").status, 201);

  auto state = get(dpo_, "/v1/audit/integrity?checkpoints=2");
  EXPECT_GE(state["entries"].get<std::uint64_t>(), 6u);
  EXPECT_EQ(state["pruned_entries"], 0);
  EXPECT_EQ(state["retention_months"], gw_.config().audit.retention_months);
  EXPECT_EQ(state["public_key"], gw_.gateway().app().signer().publicKeyHex());
  EXPECT_TRUE(state["last_verification"].is_null()) << "none was ever run";
  ASSERT_EQ(state["checkpoints"].size(), 2u) << "as many as asked";
  const auto latest = audit::Checkpoint::fromJson(state["checkpoints"][0]);
  const auto before = audit::Checkpoint::fromJson(state["checkpoints"][1]);
  EXPECT_GT(latest.tree_size, before.tree_size) << "the latest first";
  EXPECT_TRUE(latest.signatureValid());
  EXPECT_TRUE(before.signatureValid());

  const auto run = dpo_.request("POST", "/v1/audit/verifications");
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(run.json()["result"], "ok") << run.body;
  EXPECT_GE(run.json()["verified_entries"].get<std::uint64_t>(), state["entries"]);
  EXPECT_GE(run.json()["checkpoints"].get<std::uint64_t>(), 2u);
  EXPECT_EQ(run.json()["problem_count"], 0);

  // The verification is an entry of the log: the state now names it, its result with it.
  state = get(dpo_, "/v1/audit/integrity");
  const auto& last = state["last_verification"];
  ASSERT_TRUE(last.is_object()) << state.dump();
  EXPECT_EQ(std::to_string(last["entry"].get<std::uint64_t>()), run.header("X-Audit-Entry"));
  EXPECT_EQ(last["partner"], "dpo");
  EXPECT_EQ(last["result"], "ok");
  EXPECT_EQ(last["verified_entries"], std::to_string(run.json()["verified_entries"].get<int>()));
  EXPECT_LE(state["checkpoints"].size(), 10u) << "10 by default";

  // The DPO's only: every other kind is refused, and bad parameters are named.
  for (const char* kind : {"caf", "departement", "evaluateur"}) {
    auto other = gw_.asPartner(kind);
    EXPECT_EQ(other.request("GET", "/v1/audit/integrity").status, 403) << kind;
    EXPECT_EQ(other.request("POST", "/v1/audit/verifications").status, 403) << kind;
    EXPECT_EQ(other.request("GET", "/v1/audit/refusals").status, 403) << kind;
  }
  const auto too_many = dpo_.request("GET", "/v1/audit/integrity?checkpoints=101");
  EXPECT_EQ(too_many.status, 400);
  EXPECT_NE(too_many.body.find("checkpoints"), std::string::npos) << too_many.body;
}

TEST_F(ConsoleViewsTest, RefusalsAreCountedByPeriodPartnerAndAction) {
  ASSERT_EQ(create(0).status, 201);  // allowed: not counted
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(caf_.request("GET", "/v1/audit/entries").status, 403);  // a CAF probing the log
  for (int i = 0; i < 2; ++i)
    ASSERT_EQ(caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), "{").status,
              400);
  ASSERT_EQ(gw_.anonymous().request("GET", "/v1/dossiers/x").status, 401);

  const auto summary = get(dpo_, "/v1/audit/refusals?period=hour");
  EXPECT_EQ(summary["period"], "hour");
  EXPECT_FALSE(summary["truncated"].get<bool>());
  std::map<std::string, std::uint64_t> counted;
  std::uint64_t sum = 0;
  for (const auto& c : summary["counts"]) {
    counted[c["partner"].get<std::string>() + "/" + c["action"].get<std::string>() + "/" +
            c["decision"].get<std::string>()] += c["count"].get<std::uint64_t>();
    sum += c["count"].get<std::uint64_t>();
    EXPECT_EQ(c["period"].get<std::string>().substr(13), ":00:00.000Z") << c.dump();
    EXPECT_FALSE(c["action_label"].get<std::string>().empty());
  }
  EXPECT_EQ(counted["caf/audit_search/deny"], 3u) << summary.dump();
  EXPECT_EQ(counted["caf/dossier_create/invalid"], 2u) << summary.dump();
  EXPECT_EQ(counted.count("caf/dossier_create/allow"), 0u);
  std::uint64_t anonymous = 0;
  for (const auto& [key, n] : counted)
    if (key.rfind("/", 0) == 0) anonymous += n;
  EXPECT_EQ(anonymous, 1u) << summary.dump();
  EXPECT_EQ(summary["total"], sum);
  for (const auto& c : summary["counts"]) {
    if (c["partner"] == "caf") {
      EXPECT_NE(c["partner_name"], "caf") << "the registry's name";
    }
  }

  // A period with none, and parameters refused with their reason.
  EXPECT_EQ(get(dpo_, "/v1/audit/refusals?from=2020-01-01&to=2020-02-01")["total"], 0);
  EXPECT_EQ(dpo_.request("GET", "/v1/audit/refusals?period=week").status, 400);
  EXPECT_EQ(dpo_.request("GET", "/v1/audit/refusals?from=2026-02-01&to=2026-01-01").status, 400);
  // The count is itself recorded, without any client text.
  const auto entries = get(dpo_, "/v1/audit/entries?action=audit_refusals")["entries"];
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries[0]["details"]["period"], "hour");
}

TEST_F(ConsoleViewsTest, ExportsAreListedToTheirOwnerAndAllToTheDpoWithTheirSignedManifest) {
  for (int i = 0; i < 12; ++i) ASSERT_EQ(create(i).status, 201);
  auto evaluateur = gw_.asPartner("evaluateur");
  const json ask = {{"study", "etude-demo"}, {"profile", "annexe-e"}};
  const auto asked = evaluateur.request("POST", "/v1/exports", {}, ask.dump());
  ASSERT_EQ(asked.status, 202) << asked.body;
  const auto id = asked.json()["id"].get<std::string>();

  const auto own = get(evaluateur, "/v1/exports")["exports"];
  ASSERT_EQ(own.size(), 1u);
  EXPECT_EQ(own[0]["id"], id);
  EXPECT_EQ(own[0]["study"], "etude-demo");
  EXPECT_FALSE(own[0].contains("manifest")) << "the list carries no manifest";
  EXPECT_EQ(get(dpo_, "/v1/exports")["exports"][0]["id"], id);
  EXPECT_EQ(gw_.asPartner("departement").request("GET", "/v1/exports").status, 403);
  EXPECT_EQ(caf_.request("GET", "/v1/exports").status, 403);
  EXPECT_EQ(dpo_.request("GET", "/v1/exports?limit=0").status, 400);

  json status;
  for (int i = 0; i < 300; ++i) {
    status = get(dpo_, "/v1/exports/" + id);
    if (status["status"] == "done" || status["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["status"], "done") << status.dump();
  // The bytes signed, the signature and the key: checked here as the console checks them.
  const auto& signed_manifest = status["signed_manifest"];
  const auto text = signed_manifest["text"].get<std::string>();
  EXPECT_EQ(signed_manifest["public_key"], gw_.gateway().app().signer().publicKeyHex());
  EXPECT_TRUE(crypto::verifySignature(text, signed_manifest["signature"].get<std::string>(),
                                      signed_manifest["public_key"].get<std::string>()));
  EXPECT_EQ(json::parse(text), status["manifest"]);
  auto altered = text;
  altered[altered.find("etude-demo")] = 'E';
  EXPECT_FALSE(crypto::verifySignature(altered, signed_manifest["signature"].get<std::string>(),
                                       signed_manifest["public_key"].get<std::string>()));
  EXPECT_EQ(get(dpo_, "/v1/exports")["exports"][0]["status"], "done");
}

TEST_F(ConsoleViewsTest, TheSessionNamesTheLogsActionsInFrench) {
  const auto opened = gw_.anonymous().request("POST", "/v1/console/session",
                                              {{"Authorization", "Bearer " + gw_.tokenOf("dpo")}});
  ASSERT_EQ(opened.status, 201);
  const auto set = opened.header("Set-Cookie");
  const auto state = gw_.anonymous().request("GET", "/v1/console/session",
                                             {{"Cookie", set.substr(0, set.find(';'))}});
  ASSERT_EQ(state.status, 200) << state.body;
  ASSERT_TRUE(state.json()["audit_actions"].is_array()) << state.body;
  std::map<std::string, std::string> labels;
  const auto body = state.json();
  for (const auto& a : body["audit_actions"])
    labels[a["action"].get<std::string>()] = a["label"].get<std::string>();
  EXPECT_EQ(labels["audit_verify"], "vérification complète du journal d'audit");
  EXPECT_EQ(labels["dossier_read"], "consultation du dossier");
  EXPECT_EQ(labels.size(), audit::allAuditActions().size());
}

// Someone with access to the disk rewrites an entry of the log (its triggers dropped first):
// the verification the console runs says so, names the entry, and the state keeps the result.
// SQLite's file (the PostgreSQL run leaves it out: its database refuses the same rewrite to the
// node's role, tests/unit/pg_audit_schema_test.cpp).
class TamperedLogTest : public ConsoleViewsTest {};

TEST_F(TamperedLogTest, AnEntryRewrittenOnDiskFailsTheConsolesVerification) {
  for (int i = 0; i < 3; ++i) ASSERT_EQ(create(i).status, 201);
  ASSERT_EQ(dpo_.request("POST", "/v1/audit/checkpoint").status, 201);
  gw_.close();
  {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::Session raw("SQLite", app::auditFile(gw_.config()).string());
    using Poco::Data::Keywords::now;
    raw << "DROP TRIGGER IF EXISTS audit_entries_only_prune", now;
    raw << "UPDATE audit_entries SET entry = replace(entry, '\"caf\"', '\"msa\"') WHERE idx = 1",
        now;
  }
  gw_.restart();
  auto dpo = gw_.asPartner("dpo");
  const auto run = dpo.request("POST", "/v1/audit/verifications");
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(run.json()["result"], "failed") << run.body;
  EXPECT_EQ(run.json()["first_bad_entry"], 1) << run.body;
  EXPECT_GE(run.json()["problem_count"].get<int>(), 1);
  const auto state = dpo.request("GET", "/v1/audit/integrity").json();
  EXPECT_EQ(state["last_verification"]["result"], "failed");
  EXPECT_EQ(state["last_verification"]["first_bad_entry"], "1");
}

}  // namespace
}  // namespace passerelle::testing
