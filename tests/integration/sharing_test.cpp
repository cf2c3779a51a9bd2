// Policies, relationships and consents through the real server.
#include <gtest/gtest.h>

#include <fstream>

#include "passerelle/dossiers/consent_service.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

class SharingTest : public ::testing::Test {
 protected:
  SharingTest() : dept_(gw_.asPartner("departement")), ml_(gw_.asPartner("mission-locale")) {
    const auto person = testdata::syntheticDossiers(2)[1];
    const auto r = gw_.asPartner("caf").request(
        "POST", "/v1/dossiers", withPurpose("instruction_rsa"), testdata::cafPushOf(person).dump());
    id_ = r.json()["id"];
    const json orientation = {{"type", "socio_professionnelle"},
                              {"structure_referente", "mission-locale"},
                              {"date_decision", "2026-10-01"}};
    EXPECT_EQ(dept_
                  .request("PUT", "/v1/dossiers/" + id_ + "/sections/orientation", withPurpose(),
                           orientation.dump())
                  .status,
              201);
  }

  // The fields the mission locale is shown, and those withheld with their reasons.
  std::pair<json, std::map<std::string, std::string>> mlView(
      const std::string& purpose = "accompagnement") {
    const auto r = ml_.request("GET", "/v1/dossiers/" + id_, withPurpose(purpose));
    EXPECT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    std::map<std::string, std::string> withheld;
    for (const auto& w : body["withheld"]) withheld[w["path"]] = w["reason"];
    return {body["sections"], withheld};
  }

  HttpResult giveConsent(const json& overrides = json::object()) {
    json body = {{"grantee", {{"partner", "mission-locale"}}},
                 {"purpose", "accompagnement"},
                 {"sections", {"foyer"}},
                 {"given_at", "2026-11-01"},
                 {"method", "ecrit"},
                 {"collected_by", "Conseillère France Services"},
                 {"notice_version", "notice-dui-2026-01"}};
    body.update(overrides);
    return dept_.request("POST", "/v1/dossiers/" + id_ + "/consents", withPurpose(), body.dump());
  }

  TestGateway gw_;
  HttpsClient dept_;
  HttpsClient ml_;
  std::string id_;
};

TEST_F(SharingTest, ConsentLifecycleOpensAndClosesTheHousehold) {
  // Absent
  auto [sections, withheld] = mlView();
  EXPECT_FALSE(sections.contains("foyer"));
  EXPECT_EQ(withheld["/foyer/situation_maritale"], "consent_required");
  EXPECT_EQ(withheld["/identite/nir"], "not_in_policy");
  EXPECT_FALSE(sections["identite"].contains("nir"));

  // Given
  const auto given = giveConsent();
  ASSERT_EQ(given.status, 201) << given.body;
  const auto consent_id = given.json()["consent"]["id"].get<std::string>();
  EXPECT_EQ(given.json()["consent"]["status"], "in_force");
  std::tie(sections, withheld) = mlView();
  EXPECT_TRUE(sections.contains("foyer"));
  EXPECT_EQ(withheld.count("/foyer/situation_maritale"), 0u);
  // ...for that purpose only
  std::tie(sections, withheld) = mlView("suivi_parcours");
  EXPECT_FALSE(sections.contains("foyer"));

  // Withdrawn, through whoever recorded it (the Département here), not by the grantee.
  const json withdrawal = {{"method", "oral"}, {"collected_by", "Accueil du Département"}};
  EXPECT_EQ(ml_.request("POST", "/v1/consents/" + consent_id + "/withdraw", withPurpose(),
                        withdrawal.dump())
                .status,
            403);
  const auto w = dept_.request("POST", "/v1/consents/" + consent_id + "/withdraw", withPurpose(),
                               withdrawal.dump());
  ASSERT_EQ(w.status, 201) << w.body;
  EXPECT_EQ(w.json()["consent"]["withdraws"], consent_id);
  std::tie(sections, withheld) = mlView();
  EXPECT_FALSE(sections.contains("foyer"));
  EXPECT_EQ(dept_
                .request("POST", "/v1/consents/" + consent_id + "/withdraw", withPurpose(),
                         withdrawal.dump())
                .status,
            409);

  // Expired
  ASSERT_EQ(giveConsent({{"given_at", "2025-01-01"}, {"expires_at", "2025-06-01"}}).status, 201);
  std::tie(sections, withheld) = mlView();
  EXPECT_FALSE(sections.contains("foyer"));

  // Given again
  ASSERT_EQ(giveConsent().status, 201);
  std::tie(sections, withheld) = mlView();
  EXPECT_TRUE(sections.contains("foyer"));

  // Every record stays, each with its status.
  const auto list =
      dept_.request("GET", "/v1/dossiers/" + id_ + "/consents", withPurpose()).json()["consents"];
  std::vector<std::string> statuses;
  for (const auto& c : list) statuses.push_back(c["status"]);
  EXPECT_EQ(statuses, (std::vector<std::string>{"withdrawn", "withdrawal", "expired", "in_force"}));
}

TEST_F(SharingTest, ReceiptsAreSignedByTheGatewayAndTamperingShows) {
  const auto given = giveConsent();
  ASSERT_EQ(given.status, 201);
  const auto receipt = given.json()["receipt"];
  const auto key = gw_.gateway().app().signer().publicKeyHex();
  EXPECT_TRUE(dossiers::verifyReceipt(receipt, key).valid);
  auto altered = receipt;
  altered["receipt"]["record"]["sections"] = {"foyer", "sante"};
  EXPECT_FALSE(dossiers::verifyReceipt(altered, key).valid);
  EXPECT_FALSE(dossiers::verifyReceipt(receipt, std::string(64, '0')).valid);
  EXPECT_FALSE(dossiers::verifyReceipt(json::object()).valid);
}

TEST_F(SharingTest, BadConsentsNameTheirFields) {
  const auto r = giveConsent({{"grantee", {{"partner", "inconnu"}}},
                              {"purpose", "marketing"},
                              {"sections", {"loisirs"}},
                              {"given_at", "2099-01-01"},
                              {"method", "pigeon"}});
  ASSERT_EQ(r.status, 422) << r.body;
  std::set<std::string> pointers;
  const auto problem = r.json();
  for (const auto& e : problem["errors"]) pointers.insert(e["pointer"]);
  EXPECT_EQ(pointers, (std::set<std::string>{"/grantee/partner", "/purpose", "/sections",
                                             "/sections/0", "/given_at", "/method"}))
      << r.body;
}

TEST_F(SharingTest, HealthDataIsForbiddenWithoutConsentWhetherOrNotItExists) {
  const auto r = ml_.request("GET", "/v1/dossiers/" + id_ + "/sections/sante", withPurpose());
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["rule"], "consent_required");
  const json sante = {{"suivi_medical", true}};
  const auto w =
      ml_.request("PUT", "/v1/dossiers/" + id_ + "/sections/sante", withPurpose(), sante.dump());
  EXPECT_EQ(w.status, 403) << w.body;
  ASSERT_EQ(giveConsent({{"sections", json::array()}, {"categories", {"sensible"}}}).status, 201);
  EXPECT_EQ(
      ml_.request("PUT", "/v1/dossiers/" + id_ + "/sections/sante", withPurpose(), sante.dump())
          .status,
      201);
  EXPECT_EQ(ml_.request("GET", "/v1/dossiers/" + id_ + "/sections/sante", withPurpose()).json(),
            sante);
  // The Département has no consent: it is not shown the section, nor told that it exists.
  const auto dep_view = dept_.request("GET", "/v1/dossiers/" + id_, withPurpose()).json();
  EXPECT_FALSE(dep_view["sections"].contains("sante"));
  EXPECT_EQ(dep_view["withheld"].dump().find("sante"), std::string::npos)
      << dep_view["withheld"].dump();
}

TEST_F(SharingTest, AForbiddenWriteNamesTheFieldsAndWritesNothing) {
  const json contact = {{"email", "nouvelle@exemple.invalid"}};
  const auto r = ml_.request("PUT", "/v1/dossiers/" + id_ + "/sections/contact", withPurpose(),
                             contact.dump());
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.json()["errors"][0]["pointer"], "/contact/email");
  EXPECT_EQ(dept_.request("GET", "/v1/dossiers/" + id_ + "/sections/contact", withPurpose())
                .header("ETag"),
            "\"1\"");
}

TEST_F(SharingTest, APartnerWithoutRelationshipCannotTellTheDossierExists) {
  const auto other = gw_.asPartner("evaluateur");
  EXPECT_EQ(other.request("GET", "/v1/dossiers/" + id_, withPurpose("evaluation")).status, 403);
  // France Travail, never attached: same answer as for a dossier that does not exist.
  const auto ft = gw_.asPartner("france-travail");
  const auto real = ft.request("GET", "/v1/dossiers/" + id_, withPurpose("accompagnement"));
  const auto fake =
      ft.request("GET", "/v1/dossiers/d" + std::string(26, 'z'), withPurpose("accompagnement"));
  EXPECT_EQ(real.status, 404);
  EXPECT_EQ(fake.status, 404);
  EXPECT_EQ(real.json()["detail"], fake.json()["detail"]);
}

TEST_F(SharingTest, ABadPolicyIsRefusedAndTheOneInForceStays) {
  const auto before =
      dept_.request("GET", "/v1/dossiers/" + id_, withPurpose()).header("X-Policy-Version");
  ASSERT_FALSE(before.empty());
  const auto file = gw_.dir() / "policies" / "structure_referente.json";
  json policy = json::parse(std::ifstream(file));
  const auto original = policy;
  policy["rules"][0]["fields"].push_back({{"path", "/contact/fax"}});
  std::ofstream(file) << policy.dump();
  const auto refused = dept_.request("POST", "/v1/admin/policy/reload", {}, std::string("{}"));
  EXPECT_EQ(refused.status, 422) << refused.body;
  EXPECT_NE(
      refused.json()["detail"].get<std::string>().find("structure_referente.json, rule sr-lecture"),
      std::string::npos);
  EXPECT_EQ(dept_.request("GET", "/v1/dossiers/" + id_, withPurpose()).header("X-Policy-Version"),
            before);
  EXPECT_EQ(ml_.request("POST", "/v1/admin/policy/reload", {}, std::string("{}")).status, 403);

  // A valid change: the structure may no longer read the household, even with consent.
  policy = original;
  auto& rules = policy["rules"];
  for (auto it = rules.begin(); it != rules.end(); ++it)
    if ((*it)["id"] == "sr-foyer-consentement") {
      rules.erase(it);
      break;
    }
  std::ofstream(file) << policy.dump();
  ASSERT_EQ(giveConsent().status, 201);
  const auto reloaded = dept_.request("POST", "/v1/admin/policy/reload", {}, std::string("{}"));
  ASSERT_EQ(reloaded.status, 200) << reloaded.body;
  EXPECT_NE(reloaded.json()["policy_version"], before);
  auto [sections, withheld] = mlView();
  EXPECT_FALSE(sections.contains("foyer"));
  EXPECT_EQ(withheld["/foyer/situation_maritale"], "not_in_policy");
}

}  // namespace
}  // namespace passerelle::testing
