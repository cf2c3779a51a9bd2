// The authorisation matrix through the real HTTPS server: every endpoint that addresses a
// dossier × every partner kind × {a dossier it is related to, one it is not, one that does not
// exist} × {its purpose, a purpose it has no rule for}. The expected outcomes are written here
// from the documented rules (docs/policies.md), not read from the policy files; and an
// unrelated dossier must answer exactly as a nonexistent one (status, problem type, title,
// detail, fields named, content type) on every endpoint: no way to tell that it exists.
#include <gtest/gtest.h>

#include <map>

#include "passerelle/gateway/demo_data.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

struct Endpoint {
  std::string name, method, path;  // path with {id}
  json body;                       // null: none
};

std::vector<Endpoint> endpoints() {
  const json contact = {{"telephone", "0102030405"}};
  const json relationship = {{"partner", "mission-locale"}, {"reason", "test"}};
  const json consent = {{"grantee", {{"partner", "mission-locale"}}},
                        {"purpose", "accompagnement"},
                        {"sections", {"foyer"}},
                        {"given_at", "2026-11-01"},
                        {"method", "ecrit"},
                        {"collected_by", "Accueil"},
                        {"notice_version", "notice-dui-2026-01"}};
  return {{"read", "GET", "/v1/dossiers/{id}", nullptr},
          {"section", "GET", "/v1/dossiers/{id}/sections/contact", nullptr},
          {"write", "PUT", "/v1/dossiers/{id}/sections/contact", contact},
          {"history", "GET", "/v1/dossiers/{id}/history", nullptr},
          {"relationships", "GET", "/v1/dossiers/{id}/relationships", nullptr},
          {"attach", "POST", "/v1/dossiers/{id}/relationships", relationship},
          {"detach", "DELETE", "/v1/dossiers/{id}/relationships/r" + std::string(26, 'q'), nullptr},
          {"consents", "GET", "/v1/dossiers/{id}/consents", nullptr},
          {"consent", "POST", "/v1/dossiers/{id}/consents", consent},
          {"erase", "DELETE", "/v1/dossiers/{id}", json::object()},  // no reason: never erases
          {"report", "GET", "/v1/audit/persons/{id}/report", nullptr}};
}

// The purpose each kind works for, and one it has no rule for.
const std::map<std::string, std::pair<std::string, std::string>> kPurposes = {
    {"departement", {"accompagnement", "statistique"}},
    {"caf", {"instruction_rsa", "accompagnement"}},
    {"france-travail", {"accompagnement", "instruction_rsa"}},
    {"mission-locale", {"accompagnement", "controle"}},
    {"evaluateur", {"evaluation", "accompagnement"}},
    {"dpo", {"controle", "accompagnement"}}};

// Expected status on a dossier the partner is related to (or, for the kinds that need no
// relationship, any dossier), for its own purpose. From docs/policies.md: reads and writes as
// the kind's rules grant them; relationships managed by the Département; history for the
// Département and the DPO; consents recorded by the Département (any) and the structure (itself:
// this body names the mission locale); listing consents for the kinds that work on dossiers and
// the DPO (not the évaluateur); the erasure capability (the Département: here 422, the
// reason missing, checked before anything is erased); the access report for the DPO.
const std::map<std::string, std::map<std::string, int>> kRelated = {{"departement",
                                                                     {{"read", 200},
                                                                      {"section", 200},
                                                                      {"write", 200},
                                                                      {"history", 200},
                                                                      {"relationships", 200},
                                                                      {"attach", 201},
                                                                      {"detach", 404},
                                                                      {"consents", 200},
                                                                      {"consent", 201},
                                                                      {"erase", 422},
                                                                      {"report", 403}}},
                                                                    {"caf",
                                                                     {{"read", 200},
                                                                      {"section", 200},
                                                                      {"write", 200},
                                                                      {"history", 403},
                                                                      {"relationships", 403},
                                                                      {"attach", 403},
                                                                      {"detach", 403},
                                                                      {"consents", 200},
                                                                      {"consent", 403},
                                                                      {"erase", 403},
                                                                      {"report", 403}}},
                                                                    {"france-travail",
                                                                     {{"read", 200},
                                                                      {"section", 200},
                                                                      {"write", 403},
                                                                      {"history", 403},
                                                                      {"relationships", 403},
                                                                      {"attach", 403},
                                                                      {"detach", 403},
                                                                      {"consents", 200},
                                                                      {"consent", 403},
                                                                      {"erase", 403},
                                                                      {"report", 403}}},
                                                                    {"mission-locale",
                                                                     {{"read", 200},
                                                                      {"section", 200},
                                                                      {"write", 403},
                                                                      {"history", 403},
                                                                      {"relationships", 403},
                                                                      {"attach", 403},
                                                                      {"detach", 403},
                                                                      {"consents", 200},
                                                                      {"consent", 201},
                                                                      {"erase", 403},
                                                                      {"report", 403}}},
                                                                    {"evaluateur",
                                                                     {{"read", 403},
                                                                      {"section", 403},
                                                                      {"write", 403},
                                                                      {"history", 403},
                                                                      {"relationships", 403},
                                                                      {"attach", 403},
                                                                      {"detach", 403},
                                                                      {"consents", 403},
                                                                      {"consent", 403},
                                                                      {"erase", 403},
                                                                      {"report", 403}}},
                                                                    {"dpo",
                                                                     {{"read", 403},
                                                                      {"section", 403},
                                                                      {"write", 403},
                                                                      {"history", 200},
                                                                      {"relationships", 200},
                                                                      {"attach", 403},
                                                                      {"detach", 403},
                                                                      {"consents", 200},
                                                                      {"consent", 403},
                                                                      {"erase", 403},
                                                                      {"report", 200}}}};

// What an answer shows of itself, request ids aside.
json shapeOf(const HttpResult& r) {
  json out = {{"status", r.status}, {"content_type", r.header("Content-Type")}};
  if (r.header("Content-Type") == "application/problem+json") {
    const auto body = r.json();
    out["type"] = body.value("type", "");
    out["title"] = body.value("title", "");
    out["detail"] = body.value("detail", "");
    json pointers = json::array();
    for (const auto& e : body.value("errors", json::array())) pointers.push_back(e["pointer"]);
    out["errors"] = pointers;
  }
  return out;
}

class AuthorisationMatrixTest : public ::testing::Test {
 protected:
  AuthorisationMatrixTest() {
    auto dept = gw_.asPartner("departement");
    const auto people = gateway::syntheticDossiers(2);
    // R: pushed by the CAF (a source), matched by France Travail, oriented to the mission locale.
    related_ = gw_.asPartner("caf")
                   .request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                            gateway::cafPushOf(people[0]).dump())
                   .json()["id"];
    EXPECT_EQ(dept.request("PUT", "/v1/dossiers/" + related_ + "/sections/identifiants",
                           withPurpose(), json{{"france_travail", "FTMATRIX1"}}.dump())
                  .status,
              200);
    EXPECT_EQ(gw_.asPartner("france-travail")
                  .request("POST", "/v1/dossiers", withPurpose(),
                           json{{"identite", people[0]["identite"]},
                                {"identifiants", {{"france_travail", "FTMATRIX1"}}}}
                               .dump())
                  .status,
              200);
    const json orientation = {{"type", "socio_professionnelle"},
                              {"structure_referente", "mission-locale"},
                              {"date_decision", "2026-10-01"}};
    EXPECT_EQ(dept.request("PUT", "/v1/dossiers/" + related_ + "/sections/orientation",
                           withPurpose(), orientation.dump())
                  .status,
              201);
    // U: opened by the Département; no source, no structure attached.
    auto identite = people[1]["identite"];
    identite.erase("nir");
    const auto u = dept.request("POST", "/v1/dossiers", withPurpose(),
                                json{{"identite", identite},
                                     {"identifiants", {{"departement", "DEP-MATRIX-U"}}},
                                     {"contact", {{"telephone", "0600000001"}}}}
                                    .dump());
    EXPECT_EQ(u.status, 201) << u.body;
    unrelated_ = u.json()["id"];
  }

  HttpResult call(const std::string& partner, const Endpoint& e, const std::string& id,
                  const std::string& purpose) {
    auto path = e.path;
    path.replace(path.find("{id}"), 4, id);
    return gw_.asPartner(partner).request(
        e.method, path, withPurpose(purpose),
        e.body.is_null() ? std::nullopt : std::optional<std::string>(e.body.dump()));
  }

  TestGateway gw_;
  std::string related_, unrelated_;
  const std::string missing_ = "d" + std::string(26, 'q');
};

TEST_F(AuthorisationMatrixTest, EveryEndpointEveryKindAnswersAsThePolicySaysAndLeaksNothing) {
  for (const auto& [partner, purposes] : kPurposes) {
    const bool needs_relationship =
        partner == "caf" || partner == "france-travail" || partner == "mission-locale";
    for (const auto& e : endpoints()) {
      SCOPED_TRACE(partner + " " + e.name);
      // Its own purpose, on a dossier it may see.
      const auto related = call(partner, e, related_, purposes.first);
      EXPECT_EQ(related.status, kRelated.at(partner).at(e.name)) << related.body;
      // Unrelated and nonexistent: the same answer, whatever it is.
      const auto missing = call(partner, e, missing_, purposes.first);
      if (needs_relationship) {
        const auto unrelated = call(partner, e, unrelated_, purposes.first);
        EXPECT_EQ(shapeOf(unrelated), shapeOf(missing)) << unrelated.body << " vs " << missing.body;
        EXPECT_GE(unrelated.status, 400) << "a partner sees only the people it accompanies";
      }
      // A refusal by capability comes before the dossier is looked at: the same for all.
      if (related.status == 403 && related.json().value("errors", json::array()).empty()) {
        EXPECT_EQ(shapeOf(missing), shapeOf(related)) << missing.body << " vs " << related.body;
      }
      // A purpose without rules: never more than its own purpose gets, and the same answer
      // for every dossier, known or not.
      const auto other_purpose = call(partner, e, related_, purposes.second);
      const auto other_missing = call(partner, e, missing_, purposes.second);
      if (other_purpose.status == 403 || (needs_relationship && other_purpose.status >= 400)) {
        EXPECT_EQ(shapeOf(other_purpose), shapeOf(other_missing))
            << other_purpose.body << " vs " << other_missing.body;
      }
      if (e.name == "read" || e.name == "section" || e.name == "write") {
        EXPECT_EQ(other_purpose.status, 403) << other_purpose.body;
      }
    }
  }
}

// Consents open and close what a rule on consent gives: absent, in force, withdrawn.
TEST_F(AuthorisationMatrixTest, AConsentRuleOpensOnlyWhileTheConsentIsInForce) {
  auto ml = gw_.asPartner("mission-locale");
  auto dept = gw_.asPartner("departement");
  // The CAF's push holds the household.
  ASSERT_EQ(
      dept.request("GET", "/v1/dossiers/" + related_ + "/sections/foyer", withPurpose()).status,
      200);
  const auto foyer = [&] {
    return ml.request("GET", "/v1/dossiers/" + related_ + "/sections/foyer", withPurpose()).status;
  };
  EXPECT_EQ(foyer(), 403) << "absent";
  const auto given = dept.request("POST", "/v1/dossiers/" + related_ + "/consents", withPurpose(),
                                  endpoints()[8].body.dump());
  ASSERT_EQ(given.status, 201) << given.body;
  EXPECT_EQ(foyer(), 200) << "in force";
  EXPECT_EQ(ml.request("GET", "/v1/dossiers/" + related_ + "/sections/foyer",
                       withPurpose("suivi_parcours"))
                .status,
            403)
      << "for the purpose it was given for only";
  const std::string cid = given.json()["consent"]["id"];
  ASSERT_EQ(dept.request("POST", "/v1/consents/" + cid + "/withdraw", withPurpose(),
                         json{{"method", "oral"}, {"collected_by", "Accueil"}}.dump())
                .status,
            201);
  EXPECT_EQ(foyer(), 403) << "withdrawn";
}

}  // namespace
}  // namespace passerelle::testing
