// The authorisation matrix through the real HTTPS server: every endpoint that addresses a
// dossier × every partner kind × {a dossier it is related to, one it is not, one that does not
// exist} × {its purpose, a purpose it has no rule for}. The expected outcomes are written here
// from the documented rules (docs/policies.md), not read from the policy files; and an
// unrelated dossier must answer exactly as a nonexistent one (status, problem type, title,
// detail, fields named, content type) on every endpoint: no way to tell that it exists.
#include <gtest/gtest.h>

#include <map>

#include "passerelle/testdata/synthetic_dossiers.hpp"
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
    const auto people = testdata::syntheticDossiers(2);
    // R: pushed by the CAF (a source), matched by France Travail, oriented to the mission locale.
    related_ = gw_.asPartner("caf")
                   .request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                            testdata::cafPushOf(people[0]).dump())
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

// The endpoints that address no dossier, for every kind and its own purpose. Expected from
// docs/api.md and the capabilities of docs/policies.md: the DPO searches the log; the
// Département reloads the policy and resolves reconciliation cases; indicators for the
// Département, the évaluateur and the DPO; exports for the évaluateur; imports for whoever may
// write for its purpose (the sources, the structures and the Département: an empty file is an
// empty report); lookups and the change feed for whoever may read for its purpose;
// checkpoints, proofs and its own webhook deliveries for every partner; the log's integrity, its
// verification and the refusals' count for the DPO; the list of exports for the évaluateur (its
// own) and the DPO (all).
struct GlobalEndpoint {
  std::string name, method, path, body, content_type;
};

std::vector<GlobalEndpoint> globalEndpoints(const std::string& nir) {
  return {{"lookup", "GET", "/v1/dossiers?nir=" + nir, "", ""},
          {"changes", "GET", "/v1/changes?limit=5", "", ""},
          {"audit_search", "GET", "/v1/audit/entries?limit=1", "", ""},
          {"checkpoint", "GET", "/v1/audit/checkpoint", "", ""},
          {"new_checkpoint", "POST", "/v1/audit/checkpoint", "", ""},
          {"consistency", "GET", "/v1/audit/proofs/consistency?from=1", "", ""},
          {"indicators", "GET", "/v1/indicators?from=2026-01-01&to=2026-12-31", "", ""},
          {"export", "POST", "/v1/exports",
           R"({"study":"etude-demo","profile":"annexe-e","to":"2026-06-30"})", "application/json"},
          {"export_status", "GET", "/v1/exports/x" + std::string(26, 'q'), "", ""},
          {"own_deliveries", "GET", "/v1/webhooks/deliveries?limit=1", "", ""},
          {"all_deliveries", "GET", "/v1/webhooks/deliveries?partner=caf&limit=1", "", ""},
          {"reload", "POST", "/v1/admin/policy/reload", "", ""},
          {"import", "POST", "/v1/imports/ndjson", "\n", "application/x-ndjson"},
          {"cases", "GET", "/v1/reconciliation", "", ""},
          {"resolve", "POST", "/v1/reconciliation/k" + std::string(26, 'q'),
           R"({"decision":"source_error","reason":"test"})", "application/json"},
          {"api_description", "GET", "/v1/openapi.json", "", ""},
          {"console_sign_in", "POST", "/v1/console/session", "", ""},
          {"console_session", "GET", "/v1/console/session", "", ""},
          {"integrity", "GET", "/v1/audit/integrity", "", ""},
          {"verify", "POST", "/v1/audit/verifications", "", ""},
          {"refusals", "GET", "/v1/audit/refusals", "", ""},
          {"exports", "GET", "/v1/exports", "", ""},
          {"decided_cases", "GET", "/v1/reconciliation?status=decided", "", ""}};
}

const std::map<std::string, std::map<std::string, int>> kGlobal = {{"departement",
                                                                    {{"lookup", 200},
                                                                     {"audit_search", 403},
                                                                     {"indicators", 200},
                                                                     {"export", 403},
                                                                     {"export_status", 404},
                                                                     {"all_deliveries", 200},
                                                                     {"reload", 200},
                                                                     {"import", 200},
                                                                     {"cases", 200},
                                                                     {"resolve", 404},
                                                                     {"console_session", 404},
                                                                     {"integrity", 403},
                                                                     {"verify", 403},
                                                                     {"refusals", 403},
                                                                     {"exports", 403}}},
                                                                   {"caf",
                                                                    {{"lookup", 200},
                                                                     {"audit_search", 403},
                                                                     {"indicators", 403},
                                                                     {"export", 403},
                                                                     {"export_status", 404},
                                                                     {"all_deliveries", 200},
                                                                     {"reload", 403},
                                                                     {"import", 200},
                                                                     {"cases", 403},
                                                                     {"decided_cases", 403},
                                                                     {"resolve", 403},
                                                                     {"console_sign_in", 403},
                                                                     {"console_session", 404},
                                                                     {"integrity", 403},
                                                                     {"verify", 403},
                                                                     {"refusals", 403},
                                                                     {"exports", 403}}},
                                                                   {"france-travail",
                                                                    {{"lookup", 200},
                                                                     {"audit_search", 403},
                                                                     {"indicators", 403},
                                                                     {"export", 403},
                                                                     {"export_status", 404},
                                                                     {"all_deliveries", 403},
                                                                     {"reload", 403},
                                                                     {"import", 200},
                                                                     {"cases", 403},
                                                                     {"decided_cases", 403},
                                                                     {"resolve", 403},
                                                                     {"console_sign_in", 403},
                                                                     {"console_session", 404},
                                                                     {"integrity", 403},
                                                                     {"verify", 403},
                                                                     {"refusals", 403},
                                                                     {"exports", 403}}},
                                                                   {"mission-locale",
                                                                    {{"lookup", 200},
                                                                     {"audit_search", 403},
                                                                     {"indicators", 403},
                                                                     {"export", 403},
                                                                     {"export_status", 404},
                                                                     {"all_deliveries", 403},
                                                                     {"reload", 403},
                                                                     {"import", 200},
                                                                     {"cases", 403},
                                                                     {"decided_cases", 403},
                                                                     {"resolve", 403},
                                                                     {"console_sign_in", 403},
                                                                     {"console_session", 404},
                                                                     {"integrity", 403},
                                                                     {"verify", 403},
                                                                     {"refusals", 403},
                                                                     {"exports", 403}}},
                                                                   {"evaluateur",
                                                                    {{"lookup", 403},
                                                                     {"changes", 403},
                                                                     {"audit_search", 403},
                                                                     {"indicators", 200},
                                                                     {"export", 202},
                                                                     {"export_status", 404},
                                                                     {"all_deliveries", 403},
                                                                     {"reload", 403},
                                                                     {"import", 403},
                                                                     {"cases", 403},
                                                                     {"decided_cases", 403},
                                                                     {"resolve", 403},
                                                                     {"console_sign_in", 403},
                                                                     {"console_session", 404},
                                                                     {"integrity", 403},
                                                                     {"verify", 403},
                                                                     {"refusals", 403}}},
                                                                   {"dpo",
                                                                    {{"lookup", 403},
                                                                     {"changes", 403},
                                                                     {"audit_search", 200},
                                                                     {"indicators", 200},
                                                                     {"export", 403},
                                                                     {"export_status", 404},
                                                                     {"all_deliveries", 200},
                                                                     {"reload", 403},
                                                                     {"import", 403},
                                                                     {"cases", 403},
                                                                     {"decided_cases", 403},
                                                                     {"resolve", 403},
                                                                     {"console_session", 404},
                                                                     {"verify", 200}}}};

TEST_F(AuthorisationMatrixTest, EveryEndpointWithoutADossierAnswersAsThePolicySays) {
  const std::string nir = testdata::syntheticDossiers(2)[0]["identite"]["nir"];
  for (const auto& [partner, purposes] : kPurposes) {
    auto client = gw_.asPartner(partner);
    for (const auto& e : globalEndpoints(nir)) {
      SCOPED_TRACE(partner + " " + e.name);
      auto headers = withPurpose(purposes.first);
      if (!e.content_type.empty()) headers["Content-Type"] = e.content_type;
      const auto r = client.request(e.method, e.path, headers,
                                    e.body.empty() ? std::nullopt : std::optional(e.body));
      const auto& table = kGlobal.at(partner);
      const auto expected =
          table.count(e.name) ? table.at(e.name) : (e.method == "POST" ? 201 : 200);
      EXPECT_EQ(r.status, expected) << r.body;
    }
  }
}

// Liveness and readiness need no credential: every kind, and a client without one, gets the same
// answer, which names no dossier and no person.
TEST_F(AuthorisationMatrixTest, HealthAndReadinessAnswerEveryoneAlikeAndNameNoOne) {
  std::map<std::string, std::string> first;
  auto check = [&](const HttpsClient& client, const std::string& who) {
    for (const char* path : {"/healthz", "/readyz"}) {
      SCOPED_TRACE(who + " " + path);
      const auto r = client.request("GET", path, withPurpose());
      EXPECT_EQ(r.status, 200) << r.body;
      EXPECT_EQ(r.body.find("/v1/dossiers"), std::string::npos);
      EXPECT_EQ(r.body.find("\"d"), std::string::npos) << "no dossier id";
      if (!first.count(path)) first[path] = r.body;
      EXPECT_EQ(r.body, first[path]) << "answers differ by caller";
    }
  };
  check(gw_.anonymous(), "anonymous");
  for (const auto& [partner, purposes] : kPurposes) check(gw_.asPartner(partner), partner);
}

// A partner reading the inclusion proof of an entry gets the entry only if it is its own (the
// DPO: any), and a lookup of an unrelated dossier answers as one of nobody.
TEST_F(AuthorisationMatrixTest, ProofsShowOnlyOwnEntriesAndLookupsHideUnrelatedDossiers) {
  auto dept = gw_.asPartner("departement");
  const auto read = dept.request("GET", "/v1/dossiers/" + related_, withPurpose());
  ASSERT_EQ(read.status, 200);
  const auto index = read.header("X-Audit-Entry");
  ASSERT_FALSE(index.empty());
  for (const auto& [partner, purposes] : kPurposes) {
    SCOPED_TRACE(partner);
    const auto proof = gw_.asPartner(partner).request(
        "GET", "/v1/audit/proofs/inclusion?index=" + index, withPurpose(purposes.first));
    ASSERT_EQ(proof.status, 200) << proof.body;
    const bool sees = partner == "departement" || partner == "dpo";
    EXPECT_EQ(proof.json().contains("entry"), sees) << proof.body;
  }
  for (const std::string partner : {"caf", "france-travail", "mission-locale"}) {
    SCOPED_TRACE(partner);
    auto client = gw_.asPartner(partner);
    const auto unrelated = client.request("GET", "/v1/dossiers?departement=DEP-MATRIX-U",
                                          withPurpose(kPurposes.at(partner).first));
    const auto missing = client.request("GET", "/v1/dossiers?departement=DEP-MATRIX-NOBODY",
                                        withPurpose(kPurposes.at(partner).first));
    EXPECT_EQ(unrelated.status, 404) << unrelated.body;
    EXPECT_EQ(shapeOf(unrelated), shapeOf(missing));
  }
}

// The endpoints that address a consent by its id: on a consent of a dossier the caller is
// related to, of one it is not, and an id that does not exist. Withdrawal by the Département or
// the recorder only; re-affirmation likewise; an unseen consent answers as a missing one.
TEST_F(AuthorisationMatrixTest, ConsentIdsAnswerAsThePolicySaysAndUnseenLooksMissing) {
  auto dept = gw_.asPartner("departement");
  const json consent = endpoints()[8].body;
  const auto on = [&](const std::string& id) {
    const auto r =
        dept.request("POST", "/v1/dossiers/" + id + "/consents", withPurpose(), consent.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json()["consent"]["id"]);
  };
  const json withdrawal = {{"method", "oral"}, {"collected_by", "Accueil"}};
  const json reaffirmation = {
      {"method", "oral"}, {"collected_by", "Accueil"}, {"expires_at", "2027-11-01"}};
  const std::string missing = "c" + std::string(26, 'q');
  for (const auto& [partner, purposes] : kPurposes) {
    if (partner == "departement") continue;  // checked last: it may do both
    const bool needs_relationship =
        partner == "caf" || partner == "france-travail" || partner == "mission-locale";
    for (const std::string action : {"withdraw", "reaffirm"}) {
      SCOPED_TRACE(partner + " " + action);
      const auto& body = action == "withdraw" ? withdrawal : reaffirmation;
      auto client = gw_.asPartner(partner);
      const auto call = [&](const std::string& cid) {
        return client.request("POST", "/v1/consents/" + cid + "/" + action,
                              withPurpose(purposes.first), body.dump());
      };
      const auto related = call(on(related_));
      EXPECT_EQ(related.status, 403) << "recorded by the Département: " << related.body;
      const auto none = call(missing);
      if (needs_relationship) {
        const auto unrelated = call(on(unrelated_));
        EXPECT_EQ(shapeOf(unrelated), shapeOf(none)) << unrelated.body << " vs " << none.body;
        EXPECT_EQ(unrelated.status, 404) << unrelated.body;
      }
    }
  }
  // The mission locale withdraws and re-affirms what it recorded itself.
  auto ml = gw_.asPartner("mission-locale");
  const auto own =
      ml.request("POST", "/v1/dossiers/" + related_ + "/consents", withPurpose(), consent.dump());
  ASSERT_EQ(own.status, 201) << own.body;
  const std::string own_id = own.json()["consent"]["id"];
  EXPECT_EQ(ml.request("POST", "/v1/consents/" + own_id + "/reaffirm", withPurpose(),
                       reaffirmation.dump())
                .status,
            201);
  EXPECT_EQ(
      ml.request("POST", "/v1/consents/" + own_id + "/withdraw", withPurpose(), withdrawal.dump())
          .status,
      201);
  // The Département on anyone's consent, and a missing id.
  for (const std::string action : {"reaffirm", "withdraw"}) {
    const auto& body = action == "withdraw" ? withdrawal : reaffirmation;
    EXPECT_EQ(dept.request("POST", "/v1/consents/" + on(unrelated_) + "/" + action, withPurpose(),
                           body.dump())
                  .status,
              201)
        << action;
    EXPECT_EQ(
        dept.request("POST", "/v1/consents/" + missing + "/" + action, withPurpose(), body.dump())
            .status,
        404)
        << action;
  }
}

}  // namespace
}  // namespace passerelle::testing
