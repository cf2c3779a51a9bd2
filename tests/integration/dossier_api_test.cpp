#include <gtest/gtest.h>

#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

class DossierApiTest : public ::testing::Test {
 protected:
  DossierApiTest() : caf_(gw_.asPartner("caf")), dept_(gw_.asPartner("departement")) {}

  // Creates a dossier as the CAF and returns its id.
  std::string create(const json& body) {
    const auto r =
        caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").get<std::string>();
  }

  static void expectProblem(const HttpResult& r, int status, const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
    const auto body = r.json();
    EXPECT_EQ(body.at("type"), "urn:passerelle:problem:" + type);
    EXPECT_EQ(body.at("status"), status);
    EXPECT_FALSE(body.at("detail").get<std::string>().empty());
    EXPECT_EQ(body.at("instance"), "urn:passerelle:request:" + r.header("X-Request-Id"));
  }

  TestGateway gw_;
  HttpsClient caf_;
  HttpsClient dept_;
  const json person_ = testdata::cafPushOf(testdata::syntheticDossiers(3)[1]);
};

TEST_F(DossierApiTest, HealthzAnswersWithoutCredentials) {
  const auto r = gw_.anonymous().request("GET", "/healthz");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.json()["status"], "ok");
}

TEST_F(DossierApiTest, PushedDossierReadsBackExactlyAsPushed) {
  const auto created =
      caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), person_.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json()["id"].get<std::string>();
  EXPECT_EQ(created.header("Location"), "/v1/dossiers/" + id);
  EXPECT_FALSE(created.json()["matched"].get<bool>());

  const auto read = dept_.request("GET", "/v1/dossiers/" + id, withPurpose());
  ASSERT_EQ(read.status, 200) << read.body;
  const auto body = read.json();
  EXPECT_EQ(body["id"], id);
  EXPECT_EQ(body["sections"], person_);
  EXPECT_EQ(body["withheld"], json::array());
  for (const auto& [name, section] : person_.items()) {
    EXPECT_EQ(body["versions"][name]["version"], 1) << name;
    EXPECT_EQ(body["versions"][name]["author"], "caf") << name;
  }
  EXPECT_EQ(read.header("Cache-Control"), "no-store");
}

TEST_F(DossierApiTest, PutThenGetReturnsWhatWasPutWithItsEtag) {
  const auto id = create(person_);
  const json contact = {{"email", "autre@exemple.invalid"}, {"sans_domicile_fixe", true}};
  const auto put =
      dept_.request("PUT", "/v1/dossiers/" + id + "/sections/contact",
                    {{"X-Purpose", "accompagnement"}, {"If-Match", "\"1\""}}, contact.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.header("ETag"), "\"2\"");
  EXPECT_TRUE(put.json()["changed"].get<bool>());
  const auto get = dept_.request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose());
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.json(), contact);
  EXPECT_EQ(get.header("ETag"), "\"2\"");

  const auto again = dept_.request("PUT", "/v1/dossiers/" + id + "/sections/contact", withPurpose(),
                                   contact.dump());
  EXPECT_EQ(again.status, 200);
  EXPECT_FALSE(again.json()["changed"].get<bool>());
  EXPECT_EQ(again.header("ETag"), "\"2\"");
}

TEST_F(DossierApiTest, ANewSectionIsCreatedWith201) {
  const auto id = create(person_);
  const json parcours = {{"date_entree", "2026-02-01"}};
  const auto path = "/v1/dossiers/" + id + "/sections/parcours";
  const auto put = dept_.request(
      "PUT", path, {{"X-Purpose", "accompagnement"}, {"If-None-Match", "*"}}, parcours.dump());
  EXPECT_EQ(put.status, 201) << put.body;
  EXPECT_EQ(put.header("ETag"), "\"1\"");
  const auto twice = dept_.request(
      "PUT", path, {{"X-Purpose", "accompagnement"}, {"If-None-Match", "*"}}, parcours.dump());
  expectProblem(twice, 412, "precondition-failed");
}

TEST_F(DossierApiTest, MatchingWorksThroughEachIdentifier) {
  const auto id = create(person_);
  const auto full = testdata::syntheticDossiers(3)[1]["identifiants"];
  ASSERT_EQ(dept_
                .request("PUT", "/v1/dossiers/" + id + "/sections/identifiants", withPurpose(),
                         full.dump())
                .status,
            200);
  const auto& ids = full;
  const std::string nir = person_["identite"]["nir"];
  const auto& caf = ids["caf"];
  const std::vector<std::string> queries = {
      "nir=" + nir, "nir=" + nir.substr(0, 13),
      "caf=" + caf["organisme"].get<std::string>() + ":" +
          caf["numero_organisme"].get<std::string>() + ":" + caf["matricule"].get<std::string>(),
      "france_travail=" + ids["france_travail"].get<std::string>(),
      "departement=" + ids["departement"].get<std::string>()};
  // France Travail sees nobody it is not attached to; matching the person attaches it (source).
  const auto ft = gw_.asPartner("france-travail");
  expectProblem(ft.request("GET", "/v1/dossiers?" + queries[0], withPurpose("suivi_parcours")), 404,
                "not-found");
  const json claim = {{"identite", person_["identite"]},
                      {"identifiants", {{"france_travail", ids["france_travail"]}}}};
  const auto matched =
      ft.request("POST", "/v1/dossiers", withPurpose("accompagnement"), claim.dump());
  ASSERT_EQ(matched.status, 200) << matched.body;
  EXPECT_EQ(matched.json()["id"], id);
  for (const auto& q : queries) {
    const auto r = ft.request("GET", "/v1/dossiers?" + q, withPurpose("suivi_parcours"));
    ASSERT_EQ(r.status, 200) << q << " " << r.body;
    EXPECT_EQ(r.json()["id"], id) << q;
  }
  const auto again =
      caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), person_.dump());
  EXPECT_EQ(again.status, 200);
  EXPECT_TRUE(again.json()["matched"].get<bool>());
  EXPECT_EQ(again.json()["matched_on"], "nir");
  EXPECT_EQ(again.json()["id"], id);
}

// The review's finding: France Travail posted an invented identity with a Département id and
// got "200 matched", then read the real person's identity and contact.
TEST_F(DossierApiTest, AnInventedIdentityAttachesNoSourceToSomeoneElsesDossier) {
  const auto id = create(person_);
  auto identifiants = testdata::syntheticDossiers(3)[1]["identifiants"];
  ASSERT_EQ(dept_
                .request("PUT", "/v1/dossiers/" + id + "/sections/identifiants", withPurpose(),
                         identifiants.dump())
                .status,
            200);  // the section exists: the CAF wrote its matricule
  auto ft = gw_.asPartner("france-travail");
  const json invented = {{"nom_naissance", "Inconnu"},
                         {"prenoms", {"X"}},
                         {"date_naissance", "2000-01-01"},
                         {"sexe", "M"}};
  const auto post = [&](const json& ids) {
    return ft.request("POST", "/v1/dossiers", withPurpose(),
                      json{{"identite", invented}, {"identifiants", ids}}.dump());
  };
  // A Département id: refused alike whether it is someone's or nobody's.
  const auto known = post({{"departement", identifiants["departement"]}});
  const auto unknown = post({{"departement", "D-NOBODY-42"}});
  expectProblem(known, 403, "forbidden-by-policy");
  EXPECT_EQ(known.json()["errors"], unknown.json()["errors"]);
  EXPECT_EQ(known.json()["detail"], unknown.json()["detail"]);
  // Its own identifier with an identity that is not the person's: 409, kinds named, no value.
  const std::string ft_id = identifiants["france_travail"];
  const auto odds = post({{"france_travail", ft_id}});
  expectProblem(odds, 409, "conflict");
  EXPECT_EQ(odds.body.find(ft_id), std::string::npos) << odds.body;
  EXPECT_EQ(odds.body.find("2000-01-01"), std::string::npos) << odds.body;
  bool names_identity = false;
  const auto problem = odds.json();
  for (const auto& e : problem["errors"])
    names_identity = names_identity || e["pointer"] == "/identite/date_naissance";
  EXPECT_TRUE(names_identity) << odds.body;
  // No relationship was made: the dossier does not exist for France Travail.
  expectProblem(ft.request("GET", "/v1/dossiers/" + id, withPurpose()), 404, "not-found");
}

TEST_F(DossierApiTest, LookupMistakesAreExplained) {
  create(person_);
  expectProblem(dept_.request("GET", "/v1/dossiers?nir=185057800608491", withPurpose()), 404,
                "not-found");
  expectProblem(dept_.request("GET", "/v1/dossiers", withPurpose()), 400, "malformed-request");
  expectProblem(dept_.request("GET", "/v1/dossiers?nom=Pissenlit", withPurpose()), 400,
                "malformed-request");
  expectProblem(
      dept_.request("GET", "/v1/dossiers?nir=185057800608491&france_travail=X1", withPurpose()),
      400, "malformed-request");
  const auto bad_key = dept_.request("GET", "/v1/dossiers?nir=185057800608492", withPurpose());
  expectProblem(bad_key, 400, "malformed-request");
  EXPECT_EQ(bad_key.body.find("185057800608492"), std::string::npos) << "a NIR was echoed";
}

TEST_F(DossierApiTest, PurposeIsRequiredAndMustBeInTheList) {
  const auto id = create(person_);
  expectProblem(dept_.request("GET", "/v1/dossiers/" + id), 400, "purpose-required");
  expectProblem(dept_.request("GET", "/v1/dossiers/" + id, {{"X-Purpose", "prospection"}}), 400,
                "unknown-purpose");
}

TEST_F(DossierApiTest, MalformedJsonIs400) {
  const auto id = create(person_);
  expectProblem(dept_.request("PUT", "/v1/dossiers/" + id + "/sections/contact", withPurpose(),
                              "{\"email\": "),
                400, "malformed-request");
  expectProblem(caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), "[1,2"), 400,
                "malformed-request");
}

TEST_F(DossierApiTest, SchemaViolationIs422NamingTheField) {
  const auto id = create(person_);
  const json droits = {{"rsa", {{"etat_dossier", 9}, {"date_demande", "2025-02-30x"}}}};
  const auto r = caf_.request("PUT", "/v1/dossiers/" + id + "/sections/droits",
                              withPurpose("instruction_rsa"), droits.dump());
  expectProblem(r, 422, "validation-failed");
  std::set<std::string> pointers;
  const auto problem = r.json();
  for (const auto& e : problem["errors"])
    pointers.insert(e["pointer"].get<std::string>() + " " + e["rule"].get<std::string>());
  EXPECT_TRUE(pointers.count("/rsa/etat_dossier enum")) << r.body;
  EXPECT_TRUE(pointers.count("/rsa/date_demande format")) << r.body;

  json bad = person_;
  bad["identite"]["date_naissance"] = "03/08/1955";
  const auto c = caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), bad.dump());
  expectProblem(c, 422, "validation-failed");
  EXPECT_EQ(c.json()["errors"][0]["pointer"], "/identite/date_naissance");
}

TEST_F(DossierApiTest, StaleOrForeignIfMatchIs412AndWritesNothing) {
  const auto id = create(person_);
  const json contact = {{"email", "a@exemple.invalid"}};
  auto put = [&](const std::string& etag) {
    return dept_.request("PUT", "/v1/dossiers/" + id + "/sections/contact",
                         {{"X-Purpose", "accompagnement"}, {"If-Match", etag}}, contact.dump());
  };
  ASSERT_EQ(put("\"1\"").status, 200);
  expectProblem(put("\"1\""), 412, "precondition-failed");
  expectProblem(put("W/\"2\""), 412, "precondition-failed");
  expectProblem(put("\"abc\""), 412, "precondition-failed");
  const auto history =
      dept_.request("GET", "/v1/dossiers/" + id + "/history", withPurpose()).json();
  int contact_versions = 0;
  for (const auto& v : history["versions"]) contact_versions += v["section"] == "contact";
  EXPECT_EQ(contact_versions, 2);
}

TEST_F(DossierApiTest, UnknownThingsAre404AndWrongMethodIs405) {
  const auto id = create(person_);
  expectProblem(dept_.request("GET", "/v1/dossiers/" + id + "/sections/nir", withPurpose()), 404,
                "not-found");
  expectProblem(
      dept_.request("PUT", "/v1/dossiers/" + id + "/sections/loisirs", withPurpose(), "{}"), 404,
      "not-found");
  expectProblem(dept_.request("GET", "/v1/dossiers/d" + std::string(26, 'z'), withPurpose()), 404,
                "not-found");
  expectProblem(dept_.request("GET", "/v1/dossiers/../../etc/passwd", withPurpose()), 404,
                "not-found");
  expectProblem(dept_.request("GET", "/v1/nothing", withPurpose()), 404, "not-found");
  expectProblem(dept_.request("DELETE", "/v1/dossiers/" + id + "/sections/contact", withPurpose()),
                405, "method-not-allowed");
}

TEST_F(DossierApiTest, BodyMustBeJson) {
  const auto id = create(person_);
  expectProblem(
      dept_.request("PUT", "/v1/dossiers/" + id + "/sections/contact",
                    {{"X-Purpose", "accompagnement"}, {"Content-Type", "text/plain"}}, "{}"),
      415, "unsupported-media-type");
}

TEST_F(DossierApiTest, HistoryListsEveryVersionWithAuthorAndSource) {
  const auto id = create(person_);
  ASSERT_EQ(dept_
                .request("PUT", "/v1/dossiers/" + id + "/sections/contact", withPurpose(),
                         json{{"sans_domicile_fixe", true}}.dump())
                .status,
            200);
  const auto r = dept_.request("GET", "/v1/dossiers/" + id + "/history", withPurpose());
  ASSERT_EQ(r.status, 200);
  std::vector<std::pair<std::string, std::string>> foyer;
  const auto history = r.json();
  for (const auto& v : history["versions"])
    if (v["section"] == "contact") foyer.emplace_back(v["author"], v["source"]);
  ASSERT_EQ(foyer.size(), 2u);
  EXPECT_EQ(foyer[0].first, "caf");
  EXPECT_EQ(foyer[1].first, "departement");
  EXPECT_EQ(foyer[1].second, "api");
}

TEST_F(DossierApiTest, ARestartKeepsEveryAcknowledgedWrite) {
  const auto id = create(person_);
  std::vector<json> written;
  for (int i = 0; i < 5; ++i) {
    json contact = {{"email", "v" + std::to_string(i) + "@exemple.invalid"}};
    ASSERT_EQ(dept_
                  .request("PUT", "/v1/dossiers/" + id + "/sections/contact", withPurpose(),
                           contact.dump())
                  .status,
              200);
    written.push_back(contact);
  }
  gw_.restart();
  const auto client = gw_.asPartner("departement");
  const auto r = client.request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose());
  EXPECT_EQ(r.json(), written.back());
  EXPECT_EQ(r.header("ETag"), "\"6\"");
  EXPECT_EQ(client
                .request("GET", "/v1/dossiers?nir=" + person_["identite"]["nir"].get<std::string>(),
                         withPurpose())
                .json()["id"],
            id);
}

}  // namespace
}  // namespace passerelle::testing
