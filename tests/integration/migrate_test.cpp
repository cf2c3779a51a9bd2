// `passerelle migrate` (issue 23): a store moved from SQLite to PostgreSQL answers the same
// reads; a second run resumes and copies nothing twice; it refuses to run beside a serving
// gateway. Runs in the suite's SQLite run (its source is the SQLite store a TestGateway makes).
#include <gtest/gtest.h>

#include "command.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "postgres_server.hpp"
#include "test_gateway.hpp"
#include "wait_for.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

TEST(MigrateTest, AStoreMovedToPostgresAnswersTheSameReadsAndARunResumes) {
  TestGateway gw;
  const auto caf = gw.asPartner("caf");  // a new client after each restart: another port
  std::vector<std::string> ids;
  for (const auto& person : testdata::syntheticDossiers(6)) {
    const auto r = caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                               testdata::cafPushOf(person).dump());
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["id"].get<std::string>());
  }
  const auto dept = gw.asPartner("departement");
  const json contact = {{"telephone", "+33 1 00 00 00 42"}};
  ASSERT_EQ(dept.request("PUT", "/v1/dossiers/" + ids[0] + "/sections/contact", withPurpose(),
                         contact.dump())
                .status,
            200);
  // An évaluateur's export, done before the move.
  const auto asked = gw.asPartner("evaluateur")
                         .request("POST", "/v1/exports", {},
                                  json{{"study", "etude-demo"}, {"profile", "annexe-e"}}.dump());
  ASSERT_EQ(asked.status, 202) << asked.body;
  const auto export_id = asked.json()["id"].get<std::string>();
  ASSERT_TRUE(waitFor(
      [&] {
        return gw.asPartner("evaluateur")
                   .request("GET", "/v1/exports/" + export_id)
                   .json()["status"] == "done";
      },
      std::chrono::seconds(30)));
  // What each partner reads, the change feed, and the export with its files.
  const auto reads = [&] {
    std::vector<std::string> out;
    for (const auto& id : ids) {
      for (const auto* partner : {"caf", "departement"}) {
        const auto r = gw.asPartner(partner).request(
            "GET", "/v1/dossiers/" + id,
            withPurpose(std::string(partner) == "caf" ? "instruction_rsa" : "accompagnement"));
        out.push_back(std::to_string(r.status) + " " + r.body);
      }
    }
    out.push_back(
        gw.asPartner("departement").request("GET", "/v1/changes?since=0", withPurpose()).body);
    const auto status = gw.asPartner("evaluateur").request("GET", "/v1/exports/" + export_id);
    out.push_back(status.body);
    const auto files = status.json()["files"];  // a copy: the parsed body is a temporary
    for (const auto& href : files) {
      const auto file = gw.asPartner("evaluateur").request("GET", href.get<std::string>());
      out.push_back(std::to_string(file.status) + " " + file.body);
    }
    return out;
  };
  const auto before = reads();
  gw.gateway().app().auditLog().checkpointNow();

  auto& server = PostgresServer::shared();
  const auto url = server.url(server.createDatabase("migrated"));
  const auto keys_url = server.url(server.createDatabase("migratedkeys"));
  const std::vector<std::string> migrate = {"migrate",
                                            "--from",
                                            "sqlite:" + (gw.dir() / "passerelle.json").string(),
                                            "--to",
                                            "postgresql:" + url,
                                            "--keys-to",
                                            keys_url};  // a URI as it is, too
  const auto beside = runCommand(PASSERELLE_BINARY, migrate);
  EXPECT_EQ(beside.status, 1) << beside.output;
  EXPECT_TRUE(contains(beside.output, "in use by another passerelle process")) << beside.output;

  gw.close();
  const auto first = runCommand(PASSERELLE_BINARY, migrate);
  ASSERT_EQ(first.status, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "OK: the audit log verifies in PostgreSQL")) << first.output;
  EXPECT_TRUE(contains(first.output, "data_keys, 6 rows")) << first.output;
  const auto again = runCommand(PASSERELLE_BINARY, migrate);
  ASSERT_EQ(again.status, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "resumed an earlier migration; copied 0 audit entries"))
      << again.output;
  EXPECT_TRUE(contains(again.output, "section_versions, 0 rows")) << again.output;

  gw.restart([&](gateway::GatewayConfig& c) {
    app::PostgresConfig pg;
    pg.url = url;
    pg.keys_url = keys_url;
    pg.pool_size = 4;
    pg.work_dir = gw.dir() / "node";
    c.postgresql = pg;
    c.sqlite_file.clear();
  });
  const auto after = reads();
  ASSERT_EQ(after.size(), before.size());
  for (std::size_t i = 0; i < before.size(); ++i) EXPECT_EQ(after[i], before[i]) << i;
  // The feed goes on after the numbers it had: a partner's cursor stays good.
  const auto last = json::parse(before[2 * ids.size()])["next"].get<std::int64_t>();
  const auto created =
      gw.asPartner("caf").request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                  testdata::cafPushOf(testdata::syntheticDossiers(7)[6]).dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json()["id"].get<std::string>();
  const auto next = gw.asPartner("departement")
                        .request("GET", "/v1/changes?since=" + std::to_string(last), withPurpose())
                        .json();
  ASSERT_FALSE(next["changes"].empty()) << next.dump();
  for (const auto& change : next["changes"]) {
    EXPECT_GT(change["cursor"].get<std::int64_t>(), last);
    EXPECT_EQ(change["dossier"], id);
  }
}

}  // namespace
}  // namespace passerelle::testing
