// Identity reconciliation through the real server: a conflict opens a case; the Département
// decides it (same person, different people, the source's error); every step is audited.
#include <gtest/gtest.h>

#include "command.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

class ReconciliationTest : public ::testing::Test {
 protected:
  ReconciliationTest() : dept_(gw_.asPartner("departement")), caf_(gw_.asPartner("caf")) {}

  std::string createAsCaf(const json& person) {
    const auto r = caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                testdata::cafPushOf(person).dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }
  void putIdentifiants(const std::string& id, const json& identifiants) {
    const auto r = dept_.request("PUT", "/v1/dossiers/" + id + "/sections/identifiants",
                                 withPurpose(), identifiants.dump());
    EXPECT_LT(r.status, 300) << r.body;
  }
  json openCases() {
    const auto r = dept_.request("GET", "/v1/reconciliation", withPurpose());
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["cases"];
  }
  HttpResult decide(const std::string& id, const json& decision) {
    return dept_.request("POST", "/v1/reconciliation/" + id, withPurpose(), decision.dump());
  }
  // The flux's typing error: the CAF pushes person `other`, of another household, with the France
  // Travail id that the Département wrote into `holder`'s dossier. Returns the holder's dossier
  // and the case the refusal opened, and `push` the record pushed.
  std::pair<std::string, std::string> collide(std::size_t holder, std::size_t other,
                                              const std::string& ft_id, json& push) {
    const auto id = createAsCaf(people_[holder]);
    putIdentifiants(id, {{"france_travail", ft_id}});
    push = testdata::cafPushOf(people_[other]);
    push["identifiants"]["france_travail"] = ft_id;
    const auto refused =
        caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), push.dump());
    EXPECT_EQ(refused.status, 409) << refused.body;
    return {id, refused.json().value("reconciliation_case", "")};
  }
  json identiteWithoutNir(const json& person) {
    auto identite = person["identite"];
    identite.erase("nir");
    return identite;
  }

  TestGateway gw_;
  HttpsClient dept_, caf_;
  std::vector<json> people_ = testdata::syntheticDossiers(4);
};

TEST_F(ReconciliationTest, TwoDossiersOfOnePersonAreMergedAndTheOtherAnswersGone) {
  // A: the CAF's dossier; B: one the Département opened for the same person, without the NIR.
  const auto a = createAsCaf(people_[0]);
  putIdentifiants(a, {{"france_travail", "FTA00001"}});
  const auto b_created = dept_.request("POST", "/v1/dossiers", withPurpose(),
                                       json{{"identite", identiteWithoutNir(people_[0])},
                                            {"identifiants", {{"departement", "DEP-B-0001"}}}}
                                           .dump());
  ASSERT_EQ(b_created.status, 201) << b_created.body;
  const std::string b = b_created.json()["id"];
  ASSERT_EQ(dept_
                .request("POST", "/v1/dossiers/" + b + "/relationships", withPurpose(),
                         json{{"partner", "mission-locale"}, {"reason", "accompagnement"}}.dump())
                .status,
            201);

  // Identifiers of both: refused, a case opened, named in the answer; asking again finds it.
  const json both = {
      {"identite", identiteWithoutNir(people_[0])},
      {"identifiants", {{"france_travail", "FTA00001"}, {"departement", "DEP-B-0001"}}}};
  const auto refused = dept_.request("POST", "/v1/dossiers", withPurpose(), both.dump());
  ASSERT_EQ(refused.status, 409) << refused.body;
  const std::string case_id = refused.json()["reconciliation_case"];
  EXPECT_EQ(dept_.request("POST", "/v1/dossiers", withPurpose(), both.dump())
                .json()["reconciliation_case"],
            case_id);
  auto cases = openCases();
  ASSERT_EQ(cases.size(), 1u) << cases.dump();
  EXPECT_EQ(cases[0]["id"], case_id);
  EXPECT_EQ(cases[0]["source_partner"], "departement");
  EXPECT_EQ(std::set<std::string>(cases[0]["dossiers"].begin(), cases[0]["dossiers"].end()),
            (std::set<std::string>{a, b}));
  EXPECT_EQ(cases[0].dump().find("FTA00001"), std::string::npos) << "kinds, never values";

  // Only the Département decides.
  for (const auto* other : {"caf", "france-travail", "mission-locale", "evaluateur", "dpo"}) {
    EXPECT_EQ(gw_.asPartner(other).request("GET", "/v1/reconciliation", withPurpose()).status, 403)
        << other;
    EXPECT_EQ(gw_.asPartner(other)
                  .request("POST", "/v1/reconciliation/" + case_id, withPurpose(),
                           json{{"decision", "source_error"}}.dump())
                  .status,
              403)
        << other;
  }
  EXPECT_EQ(
      decide(case_id, {{"decision", "same_person"}, {"keep", "d" + std::string(26, 'q')}}).status,
      422);

  const auto merged = decide(case_id, {{"decision", "same_person"}, {"keep", a}});
  ASSERT_EQ(merged.status, 200) << merged.body;
  EXPECT_EQ(merged.json()["case"]["status"], "same_person");
  EXPECT_TRUE(openCases().empty());
  EXPECT_EQ(decide(case_id, {{"decision", "source_error"}}).status, 409) << "decided once";
  // The decided cases, with their resolution, for the Département's console.
  const auto decided = dept_.request("GET", "/v1/reconciliation?status=decided", withPurpose());
  ASSERT_EQ(decided.status, 200) << decided.body;
  ASSERT_EQ(decided.json()["cases"].size(), 1u) << decided.body;
  EXPECT_EQ(decided.json()["cases"][0]["id"], case_id);
  EXPECT_EQ(decided.json()["cases"][0]["status"], "same_person");
  EXPECT_EQ(decided.json()["cases"][0]["resolved_by"], "departement");
  EXPECT_FALSE(decided.json()["cases"][0]["resolved_at"].get<std::string>().empty());
  EXPECT_EQ(dept_.request("GET", "/v1/reconciliation?status=all", withPurpose()).status, 400);

  // B answers 410 with A, to whoever may see A; A holds B's identifier and relationship.
  const auto gone = dept_.request("GET", "/v1/dossiers/" + b, withPurpose());
  EXPECT_EQ(gone.status, 410) << gone.body;
  EXPECT_EQ(gone.json()["merged_into"], a);
  EXPECT_EQ(dept_
                .request("PUT", "/v1/dossiers/" + b + "/sections/contact", withPurpose(),
                         json{{"telephone", "0600000000"}}.dump())
                .status,
            410);
  const auto found =
      dept_.request("GET", "/v1/dossiers?departement=DEP-B-0001", withPurpose()).json();
  EXPECT_EQ(found["id"], a);
  auto ml = gw_.asPartner("mission-locale");
  EXPECT_EQ(ml.request("GET", "/v1/dossiers/" + a, withPurpose()).status, 200)
      << "B's relationship was carried over";
  EXPECT_EQ(ml.request("GET", "/v1/dossiers/" + b, withPurpose()).status, 410);
  EXPECT_EQ(
      gw_.asPartner("france-travail").request("GET", "/v1/dossiers/" + b, withPurpose()).status,
      404)
      << "to a partner that cannot see A, B does not exist";

  // The feed says so; each person's access report shows the decision.
  const auto feed = dept_.request("GET", "/v1/changes?limit=1000", withPurpose()).json();
  bool said = false;
  for (const auto& c : feed["changes"])
    said = said || (c["dossier"] == b && c.value("merged_into", "") == a);
  EXPECT_TRUE(said) << feed.dump();
  auto dpo = gw_.asPartner("dpo");
  for (const auto& person : {a, b}) {
    const auto entries =
        dpo.request("GET", "/v1/audit/entries?action=reconciliation_resolve&person=" + person)
            .json()["entries"];
    EXPECT_EQ(entries.size(), 1u) << person;
  }
}

TEST_F(ReconciliationTest, DifferentPeopleLeaveTheContestedIdentifierWithOneOrNeither) {
  json other;
  const auto [c, case_id] = collide(1, 2, "FTSHARED1", other);
  EXPECT_EQ(decide(case_id, {{"decision", "same_person"}, {"keep", c}}).status, 409)
      << "one dossier: nothing to merge";
  const auto held =
      dept_.request("GET", "/v1/dossiers/" + c + "/sections/identifiants", withPurpose()).json();
  ASSERT_TRUE(held.is_object() && held.contains("france_travail")) << held.dump();
  const auto decided =
      decide(case_id, {{"decision", "different_people"}, {"identifier_kept_by", nullptr}});
  ASSERT_EQ(decided.status, 200) << decided.body;
  EXPECT_EQ(dept_.request("GET", "/v1/dossiers?france_travail=FTSHARED1", withPurpose()).status,
            404);
  const auto section =
      dept_.request("GET", "/v1/dossiers/" + c + "/sections/identifiants", withPurpose()).json();
  ASSERT_TRUE(section.is_object()) << section.dump();
  EXPECT_FALSE(section.contains("france_travail")) << section.dump();
  // The source is told, in its change feed and in no one else's, without the dossier.
  const auto noticesOf = [&](HttpsClient& client, const std::string& purpose) {
    json found = json::array();
    const auto feed = client.request("GET", "/v1/changes?limit=1000", withPurpose(purpose)).json();
    for (const auto& change : feed["changes"])
      if (change.contains("notice")) found.push_back(change);
    return found;
  };
  const auto told = noticesOf(caf_, "instruction_rsa");
  ASSERT_EQ(told.size(), 1u);
  EXPECT_FALSE(told[0].contains("dossier")) << told[0].dump();
  EXPECT_EQ(told[0]["notice"]["reconciliation_case"], case_id);
  EXPECT_EQ(told[0]["notice"]["decision"], "different_people");
  EXPECT_EQ(told[0]["notice"]["source"], "api");
  EXPECT_TRUE(noticesOf(dept_, "accompagnement").empty()) << "for the source only";
  // The source sends the person again: now created.
  EXPECT_EQ(
      caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), other.dump()).status,
      201);
}

TEST_F(ReconciliationTest, ASourceErrorChangesNothingAndClosesTheCase) {
  json other;
  const auto [c, case_id] = collide(3, 1, "FTTYPO003", other);
  const auto before = dept_.request("GET", "/v1/dossiers/" + c + "/history", withPurpose()).json();
  ASSERT_EQ(decide(case_id, {{"decision", "source_error"}}).status, 200);
  EXPECT_EQ(dept_.request("GET", "/v1/dossiers/" + c + "/history", withPurpose()).json(), before);
  EXPECT_EQ(
      dept_.request("GET", "/v1/dossiers?france_travail=FTTYPO003", withPurpose()).json()["id"], c);
  EXPECT_TRUE(openCases().empty());
  EXPECT_EQ(decide(case_id, {{"decision", "maybe"}}).status, 409) << "closed already";
}

// The same from the command line, beside a stopped gateway, audited as through the API.
TEST_F(ReconciliationTest, TheCommandLineListsAndDecidesCases) {
  json other;
  const auto [c, case_id] = collide(1, 2, "FTCLI0001", other);
  gw_.close();
  const auto config = (gw_.dir() / "passerelle.json").string();
  const auto listed = runCommand(PASSERELLE_BINARY, {"reconciliation", "list", "--config", config});
  ASSERT_EQ(listed.status, 0) << listed.output;
  const auto cases = json::parse(listed.output)["cases"];
  ASSERT_EQ(cases.size(), 1u);
  EXPECT_EQ(cases[0]["id"], case_id);
  EXPECT_EQ(
      runCommand(PASSERELLE_BINARY, {"reconciliation", "list", "--config", config, "--as", "caf"})
          .status,
      1)
      << "the CAF decides nothing";
  const auto decided =
      runCommand(PASSERELLE_BINARY, {"reconciliation", "resolve", case_id, "--config", config,
                                     "--decision", "different_people", "--identifier-kept-by", c});
  ASSERT_EQ(decided.status, 0) << decided.output;
  EXPECT_EQ(json::parse(decided.output)["case"]["status"], "different_people");
  gw_.restart();
  EXPECT_EQ(gw_.asPartner("departement")
                .request("GET", "/v1/dossiers?france_travail=FTCLI0001", withPurpose())
                .json()["id"],
            c)
      << "kept by the dossier named";
  const auto entries =
      gw_.asPartner("dpo")
          .request("GET", "/v1/audit/entries?action=reconciliation_resolve&person=" + c)
          .json()["entries"];
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["details"]["decision"], "different_people");
}

}  // namespace
}  // namespace passerelle::testing
