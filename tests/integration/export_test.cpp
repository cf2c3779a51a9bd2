// Pseudonymised exports end to end on a real gateway: the demo's synthetic pathways exported for
// an évaluateur's study, sealed, signed, then opened as the évaluateur would, and checked: no
// direct identifier anywhere, every class at least k, pseudonyms stable within a study and
// unlinkable across studies, any tampering refused, the export in the audit log.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <set>
#include <thread>

#include "command.hpp"
#include "passerelle/connectors/export_job.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "passerelle/crypto/study_pseudonyms.hpp"
#include "passerelle/demo/demo.hpp"
#include "passerelle/policies/indicators.hpp"
#include "passerelle/policies/policy_set.hpp"
#include "passerelle/schemas/field_catalogue.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::size_t kPeople = 400;

std::string readAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Every direct identifier (per the field catalogue) of a synthetic person, as text.
void directIdentifiers(const json& value, const std::string& path, std::set<std::string>& out) {
  const auto* field = schemas::FieldCatalogue::builtin().find(path);
  if (field != nullptr && field->category == core::FieldCategory::identifiant_direct) {
    const auto add = [&](const json& v) {
      if (v.is_string() && v.get<std::string>().size() >= 4) out.insert(v.get<std::string>());
    };
    if (value.is_array())
      for (const auto& v : value) add(v);
    add(value);
    return;
  }
  if (value.is_object())
    for (const auto& [key, v] : value.items()) directIdentifiers(v, path + "/" + key, out);
  if (value.is_array())
    for (const auto& v : value) directIdentifiers(v, path + "/*", out);
}

// RFC 4180 as CsvWriter writes it: quoted fields, doubled quotes, CRLF.
std::vector<std::vector<std::string>> parseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      rows.back().push_back(std::move(field));
      field.clear();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(std::move(field));
      field.clear();
      rows.emplace_back();
      ++i;
    } else {
      field += c;
    }
  }
  rows.pop_back();  // after the last CRLF
  return rows;
}

class ExportTest : public ::testing::Test {
 protected:
  ExportTest()
      : gw_([this](gateway::GatewayConfig& c) {
          // A second study for the same évaluateur, with its own key.
          auto registry = json::parse(readAll(c.partners_file));
          for (auto& p : registry["partners"])
            if (p["kind"] == "evaluateur") {
              auto study = p["studies"][0];
              study["id"] = "etude-b";
              other_keys_.saveSecretFile(c.partners_file.parent_path() / "study-b.key");
              study["public_key"] = other_keys_.publicKeyHex();
              study["profiles"] = {"indicateurs"};
              p["studies"].push_back(study);
            }
          std::ofstream(c.partners_file.parent_path() / "partners-b.json") << registry.dump();
          c.partners_file = c.partners_file.parent_path() / "partners-b.json";
        }) {
    demo::loadDemoDossiers(gw_.gateway().app(), kPeople);
  }

  json runExport(const std::string& study, const std::string& profile, const fs::path& out) {
    return gw_.gateway().app().exportOrders().run(
        {core::PartnerId("evaluateur"), "test", study, profile, {}, {}, "2026-06-30"}, out);
  }

  crypto::RecipientKeys studyKeys() const {
    return crypto::RecipientKeys::loadSecretFile(gw_.dir() / "partners" / "evaluateur" /
                                                 "study.key");
  }

  // Opens an export with the study's key and returns the decrypted CSV's rows.
  std::vector<std::vector<std::string>> openCsv(const fs::path& dir,
                                                const crypto::RecipientKeys& keys) {
    const auto plain = fs::path(dir.string() + "-plain");
    connectors::openExport(dir, keys, gw_.gateway().app().signer().publicKeyHex(), plain);
    return parseCsv(readAll(plain / "data.csv"));
  }

  crypto::RecipientKeys other_keys_ = crypto::RecipientKeys::generate();
  TestGateway gw_;
};

TEST_F(ExportTest, NoDirectIdentifierLeavesAndEveryClassHasAtLeastK) {
  const auto out = gw_.dir() / "export-a";
  const auto manifest = runExport("etude-demo", "annexe-e", out);
  EXPECT_EQ(manifest["persons_considered"], kPeople);
  EXPECT_EQ(manifest["rows"].get<std::size_t>() + manifest["suppressed"].get<std::size_t>(),
            kPeople);
  EXPECT_GE(manifest["smallest_class"].get<std::size_t>(), 11u);
  const auto rows = openCsv(out, studyKeys());
  ASSERT_GT(rows.size(), 1u);
  EXPECT_EQ(rows.size() - 1, manifest["rows"].get<std::size_t>());

  // Every file the évaluateur gets, decrypted, scanned for every direct identifier of the data.
  std::set<std::string> identifiers;
  for (const auto& person : testdata::syntheticDossiers(kPeople))
    directIdentifiers(person, "", identifiers);
  ASSERT_GT(identifiers.size(), 4 * kPeople) << "names, NIR, e-mail, phone... of every person";
  std::string everything;
  for (const auto& entry : fs::directory_iterator(gw_.dir() / "export-a-plain"))
    everything += readAll(entry.path());
  everything += readAll(out / "manifest.json");
  std::size_t found = 0;
  for (const auto& identifier : identifiers)
    if (everything.find(identifier) != std::string::npos && found++ < 5)
      ADD_FAILURE() << "a direct identifier left in the export: " << identifier;
  EXPECT_EQ(found, 0u);

  // The equivalence classes, recounted from the decrypted CSV over the quasi-identifiers.
  const auto& header = rows[0];
  std::vector<std::size_t> quasi;
  for (const char* name :
       {"tranche_age", "sexe", "departement", "niveau_diplome", "nombre_enfants"})
    quasi.push_back(
        static_cast<std::size_t>(std::find(header.begin(), header.end(), name) - header.begin()));
  std::map<std::string, std::size_t> classes;
  for (std::size_t r = 1; r < rows.size(); ++r) {
    std::string key;
    for (const auto q : quasi) key += rows[r].at(q) + "|";
    ++classes[key];
  }
  EXPECT_EQ(classes.size(), manifest["classes"].get<std::size_t>());
  for (const auto& [key, size] : classes) EXPECT_GE(size, 11u) << key;
}

TEST_F(ExportTest, PseudonymsAreStableWithinAStudyAndUnlinkableAcrossStudies) {
  const auto pseudonyms = [&](const std::vector<std::vector<std::string>>& rows) {
    std::set<std::string> out;
    for (std::size_t r = 1; r < rows.size(); ++r) out.insert(rows[r][0]);
    return out;
  };
  runExport("etude-demo", "indicateurs", gw_.dir() / "a1");
  runExport("etude-demo", "indicateurs", gw_.dir() / "a2");
  runExport("etude-b", "indicateurs", gw_.dir() / "b1");
  const auto a1 = pseudonyms(openCsv(gw_.dir() / "a1", studyKeys()));
  const auto a2 = pseudonyms(openCsv(gw_.dir() / "a2", studyKeys()));
  const auto b1 = pseudonyms(openCsv(gw_.dir() / "b1", other_keys_));
  EXPECT_GT(a1.size(), kPeople / 2);
  EXPECT_EQ(a1, a2);
  std::vector<std::string> shared;
  std::set_intersection(a1.begin(), a1.end(), b1.begin(), b1.end(), std::back_inserter(shared));
  EXPECT_TRUE(shared.empty());
  EXPECT_EQ(a1.size(), b1.size()) << "the same people, other names";
}

TEST_F(ExportTest, TamperingIsRefusedByExportOpenAndNothingIsLeftBehind) {
  const auto out = gw_.dir() / "export-t";
  runExport("etude-demo", "annexe-e", out);
  const auto key_file = (gw_.dir() / "partners" / "evaluateur" / "study.key").string();
  const auto gateway_key = gw_.gateway().app().signer().publicKeyHex();
  const auto open = [&](const fs::path& dir, const std::string& key, const std::string& signer) {
    const auto plain = dir.string() + "-opened";
    auto r = runCommand(PASSERELLE_BINARY, {"export", "open", dir.string(), "--secret-key", key,
                                            "--out", plain, "--public-key", signer});
    EXPECT_EQ(r.status != 0, !fs::exists(plain)) << "a refused export leaves nothing";
    fs::remove_all(plain);
    return r;
  };
  const auto good = open(out, key_file, gateway_key);
  EXPECT_EQ(good.status, 0) << good.output;

  const auto copy = [&](const std::string& name) {
    const auto dir = gw_.dir() / name;
    fs::copy(out, dir);
    return dir;
  };
  auto flipped = copy("flipped");
  {
    auto bytes = readAll(flipped / "data.csv.sealed");
    bytes[bytes.size() / 2] ^= 1;
    std::ofstream(flipped / "data.csv.sealed", std::ios::binary) << bytes;
  }
  auto r = open(flipped, key_file, gateway_key);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("data.csv.sealed does not match the manifest"), std::string::npos)
      << r.output;

  auto edited = copy("edited");
  {
    auto manifest = json::parse(readAll(edited / "manifest.json"));
    manifest["manifest"]["rows"] = manifest["manifest"]["rows"].get<int>() + 1;
    std::ofstream(edited / "manifest.json") << manifest.dump();
  }
  r = open(edited, key_file, gateway_key);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("signature does not verify"), std::string::npos) << r.output;

  r = open(out, key_file, std::string(64, 'a'));
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("not by the gateway key given"), std::string::npos) << r.output;

  r = open(out, (gw_.dir() / "partners-b.json").parent_path().string() + "/study-b.key",
           gateway_key);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.output.find("sealed to another key"), std::string::npos) << r.output;
}

TEST_F(ExportTest, OnlyAnEvaluateursOwnStudyAndProfileAreExportedAndEachIsAudited) {
  const auto refused = [&](const std::string& partner, const std::string& study,
                           const std::string& profile) {
    try {
      gw_.gateway().app().exportOrders().run(
          {core::PartnerId(partner), "test", study, profile, {}, {}, {}},
          gw_.dir() / ("no-" + partner + study + profile));
      return std::string("accepted");
    } catch (const core::DomainError& e) {
      EXPECT_FALSE(fs::exists(gw_.dir() / ("no-" + partner + study + profile)));
      return std::string(e.kind() == core::ErrorKind::forbidden   ? "forbidden"
                         : e.kind() == core::ErrorKind::not_found ? "not_found"
                                                                  : "other");
    }
  };
  EXPECT_EQ(refused("caf", "etude-demo", "annexe-e"), "forbidden");
  EXPECT_EQ(refused("evaluateur", "etude-x", "annexe-e"), "not_found");
  EXPECT_EQ(refused("evaluateur", "etude-b", "annexe-e"), "forbidden") << "not its profile";
  EXPECT_EQ(refused("evaluateur", "etude-demo", "inconnu"), "not_found");

  const auto manifest = runExport("etude-demo", "indicateurs", gw_.dir() / "audited");
  const auto r = gw_.asPartner("dpo").request("GET", "/v1/audit/entries?action=export_run");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto entries = r.json()["entries"];
  ASSERT_EQ(entries.size(), 1u) << entries.dump();
  const auto& entry = entries[0];
  EXPECT_EQ(entry["partner"], "evaluateur");
  EXPECT_EQ(entry["purpose"], "evaluation");
  EXPECT_EQ(entry["person"], "") << "an export concerns no one person";
  EXPECT_EQ(entry["details"]["study"], "etude-demo");
  EXPECT_EQ(entry["details"]["profile"],
            "indicateurs@" + manifest["profile_version"].get<std::string>());
  EXPECT_EQ(entry["details"]["persons"], std::to_string(manifest["rows"].get<std::size_t>()));
}

// The demo's people enter the log as their writes through the API would: the CAF's creation,
// France Travail's match, each section written, each with the person and the fields written.
TEST_F(ExportTest, TheDemosPeopleAreInTheAuditLogAsTheirWritesWouldBe) {
  auto dpo = gw_.asPartner("dpo");
  const auto entries = [&](const std::string& query) {
    const auto r = dpo.request("GET", "/v1/audit/entries?limit=1000&" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["entries"];
  };
  const auto created = entries("action=dossier_create&partner=caf");
  ASSERT_EQ(created.size(), kPeople);
  std::set<std::string> persons;
  for (const auto& e : created) {
    persons.insert(e["person"].get<std::string>());
    EXPECT_EQ(e["decision"], "allow");
    EXPECT_EQ(e["status"], 201);
    EXPECT_FALSE(e["written"].empty()) << e.dump();
  }
  EXPECT_EQ(persons.size(), kPeople) << "one creation a person";
  EXPECT_EQ(entries("action=dossier_match&partner=france-travail").size(), kPeople);
  EXPECT_GE(entries("action=section_write&partner=departement").size(), kPeople);
  EXPECT_FALSE(entries("action=consent_record").empty());
}

TEST_F(ExportTest, IndicatorsAreServedToTheDepartementOnlyAggregatedAndAudited) {
  const std::string query = "/v1/indicators?from=2025-01-01&to=2026-06-30";
  const auto r = gw_.asPartner("departement").request("GET", query);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = r.json();
  EXPECT_EQ(body["definitions_version"], policies::IndicatorDefinitions::builtin().version);
  EXPECT_EQ(body, json(gw_.gateway().app().indicators().compute("2025-01-01", "2026-06-30")))
      << "the endpoint and the command give the same figures";
  ASSERT_EQ(body["indicators"].size(), 5u);
  // No published cell counts fewer people than the threshold.
  for (const auto& indicator : body["indicators"]) {
    const json by = indicator.value("by", json::object());
    for (const auto& [dimension, cells] : by.items())
      for (const auto& [name, cell] : cells.items()) {
        if (cell.contains("people")) {
          EXPECT_GE(cell["people"].get<int>(), 11) << name;
        }
      }
  }

  EXPECT_EQ(gw_.asPartner("caf").request("GET", query).status, 403);
  EXPECT_EQ(gw_.asPartner("evaluateur").request("GET", query).status, 200);
  EXPECT_EQ(gw_.asPartner("departement").request("GET", "/v1/indicators?from=2026-01-01").status,
            400);
  const auto bad =
      gw_.asPartner("departement").request("GET", "/v1/indicators?from=2026-02-30&to=x");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("YYYY-MM-DD"), std::string::npos) << bad.body;
  const auto audit =
      gw_.asPartner("dpo").request("GET", "/v1/audit/entries?action=indicators_read");
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.json()["entries"].size(), 5u);
  EXPECT_EQ(audit.json()["entries"][0]["details"]["from"], "2025-01-01");
}

TEST_F(ExportTest, AnEvaluateurAsksOverHttpsFollowsTheExportAndFetchesItsFiles) {
  auto evaluateur = gw_.asPartner("evaluateur");
  const json ask = {{"study", "etude-demo"}, {"profile", "annexe-e"}, {"to", "2026-06-30"}};
  const auto asked = evaluateur.request("POST", "/v1/exports", {}, ask.dump());
  ASSERT_EQ(asked.status, 202) << asked.body;
  const auto id = asked.json()["id"].get<std::string>();
  json status;
  for (int i = 0; i < 300; ++i) {
    status = evaluateur.request("GET", "/v1/exports/" + id).json();
    if (status["status"] == "done" || status["status"] == "failed") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["status"], "done") << status.dump();
  EXPECT_EQ(status["manifest"]["study"], "etude-demo");
  ASSERT_EQ(status["files"].size(), 5u);

  // The files as the évaluateur downloads them, then opened on its side.
  const auto local = gw_.dir() / "downloaded";
  fs::create_directories(local);
  for (const auto& href : status["files"]) {
    const auto r = evaluateur.request("GET", href.get<std::string>());
    ASSERT_EQ(r.status, 200) << href;
    const auto name = href.get<std::string>().substr(href.get<std::string>().rfind('/') + 1);
    std::ofstream(local / name, std::ios::binary) << r.body;
  }
  const auto manifest =
      connectors::openExport(local, studyKeys(), gw_.gateway().app().signer().publicKeyHex(),
                             gw_.dir() / "downloaded-plain");
  EXPECT_EQ(manifest["rows"], status["manifest"]["rows"]);

  // Others: the DPO sees the status but not the files; the Département does not see it at all.
  EXPECT_EQ(gw_.asPartner("dpo").request("GET", "/v1/exports/" + id).status, 200);
  EXPECT_EQ(
      gw_.asPartner("dpo").request("GET", "/v1/exports/" + id + "/files/manifest.json").status,
      404);
  EXPECT_EQ(gw_.asPartner("departement").request("GET", "/v1/exports/" + id).status, 404);
  EXPECT_EQ(evaluateur.request("GET", "/v1/exports/" + id + "/files/../../master.key").status, 404);
  EXPECT_EQ(evaluateur.request("GET", "/v1/exports/0123456789abcdef0123456789abcdef").status, 404);

  // Refusals before anything is queued, each with its reason.
  EXPECT_EQ(gw_.asPartner("caf").request("POST", "/v1/exports", {}, ask.dump()).status, 403);
  const auto no_study = evaluateur.request("POST", "/v1/exports", {}, R"({"profile":"annexe-e"})");
  EXPECT_EQ(no_study.status, 422);
  EXPECT_NE(no_study.body.find("/study"), std::string::npos) << no_study.body;
  EXPECT_EQ(
      evaluateur.request("POST", "/v1/exports", {}, R"({"profile":"annexe-e","study":"etude-x"})")
          .status,
      404);
  EXPECT_EQ(
      evaluateur.request("POST", "/v1/exports", {}, R"({"profile":"annexe-e","study":"etude-b"})")
          .status,
      403);
  EXPECT_EQ(evaluateur
                .request("POST", "/v1/exports", {},
                         R"({"profile":"annexe-e","study":"etude-demo","to":"hier"})")
                .status,
            422);

  // In the audit log: the request, the export itself, the status reads and the downloads.
  const auto audit =
      gw_.asPartner("dpo").request("GET", "/v1/audit/entries?partner=evaluateur&action=export_run");
  ASSERT_EQ(audit.json()["entries"].size(), 1u);
  EXPECT_EQ(audit.json()["entries"][0]["details"]["study"], "etude-demo");
}

// The évaluateur records no consent, for itself or anyone: a forged consent never puts a person
// in a survey-contact file.
TEST_F(ExportTest, AnEvaluateurCannotForgeTheConsentsThatWouldNamePeopleToIt) {
  auto evaluateur = gw_.asPartner("evaluateur");
  const auto ids = gw_.gateway().app().store().dossierIdsAfter(std::nullopt, 40);
  for (const auto& grantee : {json{{"partner", "evaluateur"}}, json{{"kind", "evaluateur"}}})
    for (const auto& id : ids) {
      const json body = {{"grantee", grantee},
                         {"purpose", "evaluation"},
                         {"sections", {"identite", "contact"}},
                         {"given_at", "2026-11-01"},
                         {"method", "ecrit"},
                         {"collected_by", "Enquêteur"},
                         {"notice_version", "notice-enquete-2026"}};
      ASSERT_EQ(evaluateur
                    .request("POST", "/v1/dossiers/" + id.str() + "/consents",
                             withPurpose("evaluation"), body.dump())
                    .status,
                403);
    }
  auto departement = gw_.asPartner("departement");
  std::size_t recorded = 0;  // the demo data has the Département's own consents, not these
  for (const auto& id : ids) {
    const auto list =
        departement.request("GET", "/v1/dossiers/" + id.str() + "/consents", withPurpose()).json();
    for (const auto& c : list["consents"])
      recorded += c["grantee"].value("partner", "") == "evaluateur" ||
                  c["grantee"].value("kind", "") == "evaluateur";
  }
  EXPECT_EQ(recorded, 0u);
  const auto out = gw_.dir() / "forged";
  const auto manifest = gw_.gateway().app().exportOrders().run(
      {core::PartnerId("evaluateur"), "test", "etude-demo", "annexe-e", {}, {}, "2026-06-30", true},
      out);
  EXPECT_EQ(manifest["survey_contact"]["rows"], 0) << manifest.dump();
}

// The survey-contact file: only the persons whose consent to be contacted for an evaluation is
// in force, with only the sections it covers, keyed by the pseudonym of the data; each one in
// the audit log; no such file without a legal basis in the policy.
TEST_F(ExportTest, TheSurveyContactFileNamesOnlyThoseWhoConsentedToBeContacted) {
  auto departement = gw_.asPartner("departement");
  const auto ids = gw_.gateway().app().store().dossierIdsAfter(std::nullopt, 8);
  ASSERT_EQ(ids.size(), 8u);
  const auto consent = [&](const core::DossierId& id, const json& overrides, int status = 201) {
    json body = {{"grantee", {{"kind", "evaluateur"}}},
                 {"purpose", "evaluation"},
                 {"sections", {"identite", "contact"}},
                 {"given_at", "2026-11-01"},
                 {"method", "ecrit"},
                 {"collected_by", "Conseillère RSA"},
                 {"notice_version", "notice-enquete-2026"}};
    body.update(overrides);
    const auto r = departement.request("POST", "/v1/dossiers/" + id.str() + "/consents",
                                       withPurpose(), body.dump());
    EXPECT_EQ(r.status, status) << r.body;
    return r.json().value("consent", json::object()).value("id", std::string());
  };
  // In force: 0 and 1 (identity and contact), 2 (contact only).
  consent(ids[0], json::object());
  consent(ids[1], json::object());
  consent(ids[2], {{"sections", {"contact"}}});
  // Not in force, or not for this: withdrawn, expired, another purpose, another évaluateur.
  const auto withdrawn = consent(ids[3], json::object());
  ASSERT_EQ(departement
                .request("POST", "/v1/consents/" + withdrawn + "/withdraw", withPurpose(),
                         json{{"method", "oral"}, {"collected_by", "Accueil"}}.dump())
                .status,
            201);
  consent(ids[4], {{"given_at", "2025-01-01"}, {"expires_at", "2025-06-01"}});
  // Consents that no rule could rely on are not even recorded (422): another purpose, or a
  // structure référente for evaluation.
  consent(ids[5], {{"purpose", "accompagnement"}}, 422);
  consent(ids[6], {{"grantee", {{"partner", "mission-locale"}}}}, 422);

  const auto out = gw_.dir() / "with-contacts";
  const auto manifest = gw_.gateway().app().exportOrders().run(
      {core::PartnerId("evaluateur"), "test", "etude-demo", "annexe-e", {}, {}, "2026-06-30", true},
      out);
  const auto plain = fs::path(out.string() + "-plain");
  connectors::openExport(out, studyKeys(), gw_.gateway().app().signer().publicKeyHex(), plain);
  const auto data = parseCsv(readAll(plain / "data.csv"));
  const auto contacts = parseCsv(readAll(plain / "survey-contact.csv"));
  ASSERT_FALSE(contacts.empty());
  const std::vector<std::string> header = {"pseudonyme", "nom_usage", "nom_naissance",
                                           "prenoms",    "adresse",   "code_postal",
                                           "commune",    "courriel",  "telephone"};
  EXPECT_EQ(contacts[0], header);

  // Who should be there: 0, 1, 2, unless the anonymisation suppressed their row.
  const crypto::StudyPseudonyms pseudonyms(gw_.gateway().app().keyStore().root(), "etude-demo");
  std::set<std::string> exported;
  for (std::size_t r = 1; r < data.size(); ++r) exported.insert(data[r][0]);
  std::map<std::string, std::size_t> expected;  // pseudonym -> which person
  for (std::size_t i = 0; i < 3; ++i)
    if (exported.count(pseudonyms.of(ids[i].str()))) expected[pseudonyms.of(ids[i].str())] = i;
  ASSERT_FALSE(expected.empty());
  EXPECT_EQ(contacts.size() - 1, expected.size());
  EXPECT_EQ(manifest["survey_contact"]["rows"], expected.size());
  for (std::size_t r = 1; r < contacts.size(); ++r) {
    const auto& row = contacts[r];
    ASSERT_EQ(row.size(), header.size());
    ASSERT_EQ(expected.count(row[0]), 1u) << "someone who did not consent: " << row[0];
    const auto person = expected[row[0]];
    const auto dossier = departement.request("GET", "/v1/dossiers/" + ids[person].str(),
                                             withPurpose("instruction_rsa"));
    ASSERT_EQ(dossier.status, 200);
    const auto sections = dossier.json()["sections"];
    const auto& identite = sections["identite"];
    if (person < 2) {
      EXPECT_EQ(row[1], identite.value("nom_usage", "")) << "empty when the dossier has none";
      EXPECT_EQ(row[2], identite["nom_naissance"].get<std::string>());
      EXPECT_EQ(row[3].substr(0, identite["prenoms"][0].get<std::string>().size()),
                identite["prenoms"][0].get<std::string>());
    } else {
      EXPECT_EQ(row[1] + row[2] + row[3], "") << "the consent covers the contact only";
    }
    // A telephone starting with + is a formula to a spreadsheet: written as text.
    const std::string phone = sections["contact"].value("telephone", "");
    EXPECT_EQ(row[8], phone.starts_with("+") ? "'" + phone : phone);
  }

  // Each person named is in the audit log, as their pseudonym, with the consent relied on.
  const auto audit = gw_.asPartner("dpo").request("GET", "/v1/audit/entries?action=survey_contact");
  ASSERT_EQ(audit.status, 200) << audit.body;
  const auto entries = audit.json()["entries"];
  ASSERT_EQ(entries.size(), expected.size());
  std::set<std::string> persons;
  for (const auto& entry : entries) {
    persons.insert(entry["person"].get<std::string>());
    EXPECT_EQ(entry["partner"], "evaluateur");
    EXPECT_EQ(entry["details"]["study"], "etude-demo");
    const auto rules = entry["rules"].dump();
    EXPECT_NE(rules.find("eval-contact-enquete"), std::string::npos) << rules;
    EXPECT_NE(rules.find("consent:"), std::string::npos) << rules;
  }
  std::set<std::string> expected_persons;
  for (const auto& [pseudonym, person] : expected)
    expected_persons.insert(gw_.gateway().app().pseudonyms().of(ids[person]));
  EXPECT_EQ(persons, expected_persons);

  // The data itself still names no one; without the option there is no contact file.
  std::set<std::string> identifiers;
  for (const auto& person : testdata::syntheticDossiers(kPeople))
    directIdentifiers(person, "", identifiers);
  const auto clear = readAll(plain / "data.csv") + readAll(plain / "data.ndjson");
  for (const auto& identifier : identifiers)
    EXPECT_EQ(clear.find(identifier), std::string::npos) << identifier;
  runExport("etude-demo", "annexe-e", gw_.dir() / "without-contacts");
  EXPECT_FALSE(fs::exists(gw_.dir() / "without-contacts" / "survey-contact.csv.sealed"));

  // A profile without contact columns, or a policy without a basis: refused.
  try {
    gw_.gateway().app().exportOrders().run(
        {core::PartnerId("evaluateur"), "test", "etude-demo", "indicateurs", {}, {}, {}, true},
        gw_.dir() / "refused");
    ADD_FAILURE() << "indicateurs has no survey-contact file";
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::invalid_input);
  }
  const auto policy_dir = gw_.dir() / "policy-without-basis";
  fs::create_directories(policy_dir);
  for (const auto& [name, text] : policies::PolicySet::builtinFiles())
    std::ofstream(policy_dir / name)
        << (name == "evaluateur.json" ? R"({"partner_kind": "evaluateur", "rules": []})" : text);
  TestGateway strict([&](gateway::GatewayConfig& c) { c.policies_dir = policy_dir; });
  demo::loadDemoDossiers(strict.gateway().app(), 20);
  const auto refused = strict.asPartner("evaluateur")
                           .request("POST", "/v1/exports", {},
                                    R"({"study":"etude-demo","profile":"annexe-e",)"
                                    R"("survey_contact":true})");
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_NE(refused.body.find("no legal basis for a survey-contact file"), std::string::npos)
      << refused.body;
}

}  // namespace
}  // namespace passerelle::testing
