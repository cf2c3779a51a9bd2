// Who may record and withdraw consents, and the other capabilities of the manifest, through the
// real server: the default policy's answer for every partner kind, written here independently
// of the policy files.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "passerelle/policies/policy_set.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

json consentBody(const json& grantee, const std::string& purpose, const json& sections) {
  return {{"grantee", grantee},
          {"purpose", purpose},
          {"sections", sections},
          {"given_at", "2026-11-01"},
          {"method", "ecrit"},
          {"collected_by", "Accueil"},
          {"notice_version", "notice-dui-2026-01"}};
}

class ConsentAuthorityTest : public ::testing::Test {
 protected:
  ConsentAuthorityTest() : dept_(gw_.asPartner("departement")) {
    for (const auto& person : testdata::syntheticDossiers(3)) {
      const auto r =
          gw_.asPartner("caf").request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                       testdata::cafPushOf(person).dump());
      EXPECT_EQ(r.status, 201) << r.body;
      ids_.push_back(r.json()["id"]);
    }
    // The mission locale accompanies the first person only.
    const json orientation = {{"type", "socio_professionnelle"},
                              {"structure_referente", "mission-locale"},
                              {"date_decision", "2026-10-01"}};
    EXPECT_EQ(dept_
                  .request("PUT", "/v1/dossiers/" + ids_[0] + "/sections/orientation",
                           withPurpose(), orientation.dump())
                  .status,
              201);
  }

  HttpResult record(const std::string& as, const std::string& id, const json& body,
                    const std::string& purpose = "accompagnement") {
    return gw_.asPartner(as).request("POST", "/v1/dossiers/" + id + "/consents",
                                     withPurpose(purpose), body.dump());
  }
  std::size_t consentCount(const std::string& id) {
    return dept_.request("GET", "/v1/dossiers/" + id + "/consents", withPurpose())
        .json()["consents"]
        .size();
  }

  TestGateway gw_;
  HttpsClient dept_;
  std::vector<std::string> ids_;
};

// Each kind tries a consent for itself and one for another partner, on a dossier it can see.
TEST_F(ConsentAuthorityTest, OnlyThoseThePolicyNamesRecordConsentsAndOnlyForWhomItSays) {
  struct Row {
    std::string partner, purpose;
    json self;  // a consent some rule of this partner's kind relies on
    int self_status, other_status;
  };
  const json foyer = json::array({"foyer"}), sante = json::array({"sante"});
  const std::vector<Row> rows = {
      {"departement", "accompagnement",
       consentBody({{"partner", "departement"}}, "accompagnement", sante), 201, 201},
      {"caf", "instruction_rsa", consentBody({{"partner", "caf"}}, "instruction_rsa", foyer), 403,
       403},
      {"france-travail", "accompagnement",
       consentBody({{"partner", "france-travail"}}, "accompagnement", sante), 403, 403},
      {"mission-locale", "accompagnement",
       consentBody({{"partner", "mission-locale"}}, "accompagnement", foyer), 201, 403},
      {"evaluateur", "evaluation",
       consentBody({{"partner", "evaluateur"}}, "evaluation", json::array({"identite", "contact"})),
       403, 403},
      {"dpo", "controle", consentBody({{"partner", "dpo"}}, "controle", foyer), 403, 403},
  };
  // For another partner: France Travail's health consent, which a rule relies on.
  const auto for_other = consentBody({{"partner", "france-travail"}}, "accompagnement", sante);
  const auto for_ml_kind = consentBody({{"kind", "structure_referente"}}, "accompagnement", foyer);
  for (const auto& row : rows) {
    const auto before = consentCount(ids_[0]);
    const auto self = record(row.partner, ids_[0], row.self, row.purpose);
    EXPECT_EQ(self.status, row.self_status) << row.partner << " for itself: " << self.body;
    const auto other =
        record(row.partner, ids_[0], row.partner == "france-travail" ? for_ml_kind : for_other,
               row.purpose);
    EXPECT_EQ(other.status, row.other_status) << row.partner << " for another: " << other.body;
    const std::size_t written = (row.self_status == 201) + (row.other_status == 201);
    EXPECT_EQ(consentCount(ids_[0]), before + written)
        << row.partner << ": a refusal stores nothing";
    if (self.status == 403 || other.status == 403) {
      const auto& refused = self.status == 403 ? self : other;
      EXPECT_EQ(refused.json()["type"].get<std::string>().find("forbidden") != std::string::npos,
                true)
          << refused.body;
    }
  }
  // A structure référente's consent for its whole kind would serve other structures.
  EXPECT_EQ(record("mission-locale", ids_[0], for_ml_kind).status, 403);
  // ... and on a person it does not accompany, it is as if the dossier did not exist.
  const auto unseen = record("mission-locale", ids_[1],
                             consentBody({{"partner", "mission-locale"}}, "accompagnement", foyer));
  const auto missing =
      record("mission-locale", "d" + std::string(26, 'q'),
             consentBody({{"partner", "mission-locale"}}, "accompagnement", foyer));
  EXPECT_EQ(unseen.status, 404);
  EXPECT_EQ(unseen.status, missing.status);
  EXPECT_EQ(unseen.json()["type"], missing.json()["type"]);
  EXPECT_EQ(unseen.json()["detail"], missing.json()["detail"]);
}

// No dead consents: a grantee and purpose, section or category that no rule relies on is
// refused, naming the field.
TEST_F(ConsentAuthorityTest, AConsentNoRuleReliesOnIsRefusedNamingTheField) {
  const auto ml = json{{"partner", "mission-locale"}};
  const auto check = [&](const json& body, const std::string& pointer) {
    const auto r = record("departement", ids_[0], body);
    EXPECT_EQ(r.status, 422) << r.body;
    bool named = false;
    for (const auto& e : r.json().value("errors", json::array()))
      named = named || e.value("pointer", "") == pointer;
    EXPECT_TRUE(named) << pointer << " in " << r.body;
  };
  check(consentBody(ml, "evaluation", json::array({"foyer"})), "/purpose");
  check(consentBody(ml, "accompagnement", json::array({"foyer", "droits"})), "/sections/1");
  check(consentBody({{"kind", "caf"}}, "instruction_rsa", json::array({"foyer"})), "/purpose");
  auto by_category = consentBody(ml, "accompagnement", json::array());
  by_category.erase("sections");
  by_category["categories"] = {"sensible", "identification"};
  check(by_category, "/categories/1");
  EXPECT_EQ(consentCount(ids_[0]), 0u);
  EXPECT_EQ(record("departement", ids_[0], consentBody(ml, "accompagnement", {"foyer"})).status,
            201);
}

// The record carries what ISO/IEC TS 27560 asks of it that the gateway knows: its schema, the
// notice and its language (French unless said), the controller the deployment names.
TEST_F(ConsentAuthorityTest, TheRecordNamesItsSchemaAndTheNoticeLanguage) {
  auto body = consentBody({{"partner", "mission-locale"}}, "accompagnement", {"foyer"});
  const auto french = record("departement", ids_[0], body);
  ASSERT_EQ(french.status, 201) << french.body;
  EXPECT_EQ(french.json()["consent"]["notice_language"], "fr");
  EXPECT_EQ(french.json()["consent"]["schema"], "passerelle/consent-record/1");
  const json controller = {{"name", "Département de démonstration (93)"},
                           {"contact", "dpo@departement-demo.invalid"}};
  EXPECT_EQ(french.json()["consent"]["controller"], controller) << "as configured";
  EXPECT_EQ(french.json()["receipt"]["receipt"]["record"]["controller"], controller);
  body["notice_language"] = "ar-MA";
  const auto arabic = record("departement", ids_[0], body);
  ASSERT_EQ(arabic.status, 201) << arabic.body;
  EXPECT_EQ(arabic.json()["receipt"]["receipt"]["record"]["notice_language"], "ar-MA");
  body["notice_language"] = "arabe marocain";
  const auto bad = record("departement", ids_[0], body);
  EXPECT_EQ(bad.status, 422);
  EXPECT_NE(bad.body.find("/notice_language"), std::string::npos) << bad.body;
  const auto list =
      dept_.request("GET", "/v1/dossiers/" + ids_[0] + "/consents", withPurpose()).json();
  ASSERT_EQ(list["consents"].size(), 2u);
  EXPECT_EQ(list["consents"][1]["notice_language"], "ar-MA") << "kept by the store";
  EXPECT_EQ(list["consents"][1]["controller"], controller) << "kept by the store";
}

// ISO/IEC TS 27560's re-affirmation: an expired consent renewed by whoever may record it,
// a new record that reopens what the rule gives; not once withdrawn.
TEST_F(ConsentAuthorityTest, AReaffirmedConsentIsInForceAgainUntilItsNewExpiry) {
  auto ml = gw_.asPartner("mission-locale");
  const auto foyer = [&] {
    return ml.request("GET", "/v1/dossiers/" + ids_[0] + "/sections/foyer", withPurpose()).status;
  };
  auto body = consentBody({{"partner", "mission-locale"}}, "accompagnement", {"foyer"});
  body["given_at"] = "2025-01-01";
  body["expires_at"] = "2025-06-01";
  const auto given = record("departement", ids_[0], body);
  ASSERT_EQ(given.status, 201) << given.body;
  const std::string cid = given.json()["consent"]["id"];
  EXPECT_EQ(foyer(), 403) << "expired";
  const json renewal = {
      {"method", "ecrit"}, {"collected_by", "Accueil"}, {"expires_at", "2030-12-31"}};
  const auto post = [&](const std::string& as, const std::string& verb, const json& b) {
    return gw_.asPartner(as).request("POST", "/v1/consents/" + cid + "/" + verb, withPurpose(),
                                     b.dump());
  };
  EXPECT_EQ(post("mission-locale", "reaffirm", renewal).status, 403)
      << "the structure records only its own consents";
  EXPECT_EQ(post("departement", "reaffirm",
                 json{{"method", "ecrit"}, {"collected_by", "A"}, {"expires_at", "2020-01-01"}})
                .status,
            422);
  const auto renewed = post("departement", "reaffirm", renewal);
  ASSERT_EQ(renewed.status, 201) << renewed.body;
  EXPECT_EQ(renewed.json()["consent"]["kind"], "reaffirmed");
  EXPECT_EQ(renewed.json()["consent"]["reaffirms"], cid);
  EXPECT_EQ(renewed.json()["receipt"]["receipt"]["type"], "consent_reaffirmed");
  EXPECT_EQ(foyer(), 200) << "in force again";
  const auto list =
      dept_.request("GET", "/v1/dossiers/" + ids_[0] + "/consents", withPurpose()).json();
  std::vector<std::string> statuses;
  for (const auto& c : list["consents"]) statuses.push_back(c["status"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"in_force", "reaffirmation"}));
  ASSERT_EQ(post("departement", "withdraw", json{{"method", "oral"}, {"collected_by", "A"}}).status,
            201);
  EXPECT_EQ(foyer(), 403);
  EXPECT_EQ(post("departement", "reaffirm", renewal).status, 409) << "withdrawn stays withdrawn";
}

// A withdrawal goes through whoever recorded the consent, or the Département; a consent on a
// dossier the caller cannot see answers exactly as one that does not exist.
TEST_F(ConsentAuthorityTest, AConsentIsWithdrawnByItsRecorderOrTheDepartementOnly) {
  const auto foyer = json::array({"foyer"});
  const auto by_ml = record("mission-locale", ids_[0],
                            consentBody({{"partner", "mission-locale"}}, "accompagnement", foyer));
  ASSERT_EQ(by_ml.status, 201) << by_ml.body;
  const auto by_dept =
      record("departement", ids_[0],
             consentBody({{"partner", "mission-locale"}}, "accompagnement", foyer));
  ASSERT_EQ(by_dept.status, 201);
  const auto on_other =
      record("departement", ids_[1],
             consentBody({{"partner", "mission-locale"}}, "accompagnement", foyer));
  ASSERT_EQ(on_other.status, 201);
  const auto withdraw = [&](const std::string& as, const HttpResult& consent) {
    const std::string cid = consent.json()["consent"]["id"];
    return gw_.asPartner(as).request("POST", "/v1/consents/" + cid + "/withdraw", withPurpose(),
                                     json{{"method", "oral"}, {"collected_by", "Accueil"}}.dump());
  };
  // Nobody else, whatever it may see.
  for (const auto* other : {"caf", "france-travail", "evaluateur", "dpo"})
    EXPECT_NE(withdraw(other, by_dept).status, 201) << other;
  EXPECT_EQ(withdraw("mission-locale", by_dept).status, 403) << "the grantee did not record it";

  // Unseen and nonexistent answer alike.
  const auto unseen = withdraw("mission-locale", on_other);
  const auto missing =
      gw_.asPartner("mission-locale")
          .request("POST", "/v1/consents/c" + std::string(26, 'q') + "/withdraw", withPurpose(),
                   json{{"method", "oral"}, {"collected_by", "Accueil"}}.dump());
  EXPECT_EQ(unseen.status, 404);
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(unseen.json()["type"], missing.json()["type"]);
  EXPECT_EQ(unseen.json()["detail"], missing.json()["detail"]);
  EXPECT_EQ(unseen.json()["title"], missing.json()["title"]);

  EXPECT_EQ(withdraw("mission-locale", by_ml).status, 201) << "its own";
  EXPECT_EQ(withdraw("departement", by_dept).status, 201) << "any, for the Département";
  EXPECT_EQ(withdraw("departement", on_other).status, 201);
  const auto list =
      dept_.request("GET", "/v1/dossiers/" + ids_[0] + "/consents", withPurpose()).json();
  std::size_t withdrawals = 0;
  for (const auto& c : list["consents"]) withdrawals += c["status"] == "withdrawal";
  EXPECT_EQ(withdrawals, 2u);
}

}  // namespace
}  // namespace passerelle::testing

namespace passerelle::testing {
namespace {

// Every "who may" beyond fields is the manifest's: a policy that moves a capability moves
// what the routes allow, with no code changed.
TEST(CapabilitiesTest, RoutesAskThePolicyWhoMay) {
  TestGateway gw([](gateway::GatewayConfig& c) {
    auto files = policies::PolicySet::builtinFiles();
    auto manifest = json::parse(files.at("policy.json"));
    manifest["capabilities"]["erasure"] = json::array();
    manifest["capabilities"]["indicators"] = {"dpo"};
    manifest["capabilities"]["audit_search"] = {"departement"};
    files["policy.json"] = manifest.dump();
    const auto dir = c.partners_file.parent_path() / "policy-moved";
    std::filesystem::create_directories(dir);
    for (const auto& [name, text] : files) std::ofstream(dir / name) << text;
    c.policies_dir = dir;
  });
  auto dept = gw.asPartner("departement");
  const std::string id = gw.asPartner("caf")
                             .request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                      testdata::cafPushOf(testdata::syntheticDossiers(1)[0]).dump())
                             .json()["id"];
  const auto erase = dept.request("DELETE", "/v1/dossiers/" + id, withPurpose(),
                                  json{{"reason", "demande de la personne (art. 17)"}}.dump());
  EXPECT_EQ(erase.status, 403) << erase.body;
  EXPECT_NE(erase.body.find("erasure"), std::string::npos) << erase.body;
  EXPECT_EQ(dept.request("GET", "/v1/dossiers/" + id, withPurpose()).status, 200);
  const std::string period = "/v1/indicators?from=2026-01-01&to=2026-06-30";
  EXPECT_EQ(gw.asPartner("evaluateur").request("GET", period, withPurpose("evaluation")).status,
            403);
  EXPECT_EQ(gw.asPartner("dpo").request("GET", period, withPurpose("controle")).status, 200);
  EXPECT_EQ(dept.request("GET", "/v1/audit/entries").status, 200);
  EXPECT_EQ(gw.asPartner("dpo").request("GET", "/v1/audit/entries").status, 403);
}

}  // namespace
}  // namespace passerelle::testing
