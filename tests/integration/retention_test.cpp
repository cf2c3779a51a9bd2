// The retention rule on a real gateway: which dossiers are due (last write, pathway exit), the
// erasure and its audit entries, and the command line beside and without a running gateway.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "command.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

CommandResult passerelle(const std::vector<std::string>& args) {
  return runCommand(PASSERELLE_BINARY, args);
}

class RetentionTest : public ::testing::Test {
 protected:
  // The daily run is off, so that the test decides when the rule applies.
  RetentionTest()
      : gw_([](gateway::GatewayConfig& c) { c.retention.daily = false; }),
        dept_(gw_.asPartner("departement")) {
    for (int n = 1; n <= 4; ++n) {
      const auto r = gw_.asPartner("caf").request(
          "POST", "/v1/dossiers", withPurpose("instruction_rsa"),
          testdata::cafPushOf(testdata::syntheticDossiers(5)[n]).dump());
      ids_.push_back(r.json()["id"].get<std::string>());
    }
    // B left the pathway after its last write; C left it a year ago.
    exitOn(ids_[1], "2023-06-01");
    exitOn(ids_[2], core::monthsBefore(core::nowUtc(), 12).substr(0, 10));
    // A, B and C were last written three years ago (as if the gateway had run that long); D now.
    for (int i = 0; i < 3; ++i)
      gw_.execOnStore(
          "UPDATE section_versions SET written_at = '2023-01-01T00:00:00.000Z' "
          "WHERE dossier_id = '" +
          ids_[i] + "'");
  }

  void exitOn(const std::string& id, const std::string& date) {
    const json parcours = {
        {"date_entree", "2022-01-10"}, {"date_sortie", date}, {"motif_sortie", "emploi"}};
    const auto r = dept_.request("PUT", "/v1/dossiers/" + id + "/sections/parcours", withPurpose(),
                                 parcours.dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }

  int statusOf(const std::string& id) {
    // A new client each time: a restarted gateway listens on another port.
    return gw_.asPartner("departement").request("GET", "/v1/dossiers/" + id, withPurpose()).status;
  }

  TestGateway gw_;
  HttpsClient dept_;
  std::vector<std::string> ids_;  // A, B, C, D
};

TEST_F(RetentionTest, DossiersPastTheirLastActivityAreErasedAndLogged) {
  auto& gateway = gw_.gateway();
  const auto listed = gateway.app().retention().apply(true);
  ASSERT_EQ(listed.due.size(), 2u);
  EXPECT_EQ(listed.due[0].id.str(), ids_[0]);
  EXPECT_EQ(listed.due[0].basis, "derniere_ecriture");
  EXPECT_EQ(listed.due[1].id.str(), ids_[1]);
  EXPECT_EQ(listed.due[1].basis, "date_sortie");
  EXPECT_EQ(listed.due[1].last_activity, "2023-06-01T00:00:00.000Z");
  EXPECT_EQ(listed.erased, 0u);
  for (const auto& id : ids_) EXPECT_EQ(statusOf(id), 200) << "a dry run erases nothing";

  const auto done = gateway.app().retention().apply(false);
  EXPECT_EQ(done.erased, 2u);
  EXPECT_EQ(statusOf(ids_[0]), 404);
  EXPECT_EQ(statusOf(ids_[1]), 404);
  EXPECT_EQ(statusOf(ids_[2]), 200);
  EXPECT_EQ(statusOf(ids_[3]), 200);
  EXPECT_TRUE(gateway.app().retention().apply(true).due.empty());

  const auto entries =
      gw_.asPartner("dpo")
          .request("GET", "/v1/audit/entries?action=dossier_erase&person=" + ids_[1])
          .json()["entries"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["credential"], "system:retention");
  EXPECT_EQ(entries[0]["partner"], "");
  EXPECT_EQ(entries[0]["details"]["basis"], "date_sortie");
}

TEST_F(RetentionTest, AServingGatewayAppliesTheRuleWhenItStarts) {
  gw_.restart([](gateway::GatewayConfig& c) { c.retention.daily = true; });
  // The first run happens at start, in the background.
  for (int i = 0; i < 100 && statusOf(ids_[1]) == 200; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(statusOf(ids_[0]), 404);
  EXPECT_EQ(statusOf(ids_[1]), 404);
  EXPECT_EQ(statusOf(ids_[2]), 200);
}

TEST_F(RetentionTest, TheCommandRefusesBesideARunningGatewayAndWorksAlone) {
  const auto config = (gw_.dir() / "passerelle.json").string();
  const auto beside = passerelle({"retention", "run", "--config", config, "--dry-run"});
  EXPECT_EQ(beside.status, 1);
  EXPECT_NE(beside.output.find("in use by another passerelle process"), std::string::npos)
      << beside.output;

  gw_.close();
  const auto dry = passerelle({"retention", "run", "--config", config, "--dry-run"});
  ASSERT_EQ(dry.status, 0) << dry.output;
  EXPECT_NE(dry.output.find("would erase 2 dossiers"), std::string::npos) << dry.output;
  EXPECT_NE(dry.output.find(ids_[0]), std::string::npos);
  EXPECT_EQ(dry.output.find(ids_[2]), std::string::npos);
  const auto run = passerelle({"retention", "run", "--config", config});
  ASSERT_EQ(run.status, 0) << run.output;
  EXPECT_NE(run.output.find("erased 2 dossiers"), std::string::npos) << run.output;
  const auto again = passerelle({"retention", "run", "--config", config, "--dry-run"});
  EXPECT_NE(again.output.find("would erase 0 dossiers"), std::string::npos) << again.output;
  // The audit log the command wrote is whole.
  const auto verified = passerelle({"audit", "verify", "--config", config});
  EXPECT_EQ(verified.status, 0) << verified.output;
}

}  // namespace
}  // namespace passerelle::testing
