#include "passerelle/policies/policy_set.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "passerelle/policies/explain.hpp"

namespace passerelle::policies {
namespace {

using nlohmann::json;

const std::string kManifest =
    R"({"version":"t1","title":"Test","relationship_required":["structure_referente"]})";

json rule(const std::string& id) {
  return {{"id", id},
          {"access", "read"},
          {"purposes", {"accompagnement"}},
          {"fields", {{{"section", "contact"}}}},
          {"legal_basis", {{"article_6", "6-1-e"}}},
          {"consent", false},
          {"description", "Lecture des coordonnées."}};
}

std::map<std::string, std::string> filesWith(const std::vector<json>& rules,
                                             const std::string& kind = "structure_referente") {
  json doc = {{"partner_kind", kind}, {"rules", json::array()}};
  for (const auto& r : rules) doc["rules"].push_back(r);
  return {{"policy.json", kManifest}, {kind + ".json", doc.dump()}};
}

std::string errorOf(const std::map<std::string, std::string>& files) {
  try {
    PolicySet::parse(files, schemas::FieldCatalogue::builtin());
  } catch (const PolicyError& e) {
    return e.what();
  }
  return "accepted";
}

TEST(PolicySetTest, TheDefaultPolicyLoadsWithAStableVersion) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto a = PolicySet::builtin(catalogue);
  const auto b = PolicySet::builtin(catalogue);
  EXPECT_EQ(a.version(), b.version());
  EXPECT_TRUE(a.version().starts_with("2026-12-2+"));
  EXPECT_GT(a.rules().size(), 10u);
  EXPECT_TRUE(a.requiresRelationship(core::PartnerKind::structure_referente));
  EXPECT_FALSE(a.requiresRelationship(core::PartnerKind::departement));
  EXPECT_TRUE(a.isSource(core::PartnerKind::caf));
}

TEST(PolicySetTest, AnyChangeOfContentChangesTheVersion) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  auto r = rule("r1");
  const auto v1 = PolicySet::parse(filesWith({r}), catalogue).version();
  r["description"] = "Autre texte.";
  EXPECT_NE(PolicySet::parse(filesWith({r}), catalogue).version(), v1);
}

TEST(PolicySetTest, SelectorsBySectionPathAndCategory) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  auto r = rule("r1");
  r["fields"] = {{{"path", "/droits/rsa"}}, {{"section", "diagnostic"}, {"category", "sensible"}}};
  r["legal_basis"]["article_9"] = "9-2-b";
  r["except"] = {{{"path", "/droits/rsa/motif_suspension"}}};
  const auto set = PolicySet::parse(filesWith({r}), catalogue);
  std::set<std::string> fields;
  for (const auto& f : set.rules()[0].fields) fields.insert(f.str());
  EXPECT_TRUE(fields.count("/droits/rsa/etat_dossier"));
  EXPECT_FALSE(fields.count("/droits/rsa/motif_suspension"));
  EXPECT_TRUE(fields.count("/diagnostic/freins/sante"));
  EXPECT_FALSE(fields.count("/diagnostic/freins/logement"));
  EXPECT_FALSE(fields.count("/droits/aah/beneficiaire"));
}

TEST(PolicySetTest, BadRulesAreRefusedNamingFileAndRule) {
  auto unknown_field = rule("r-champ");
  unknown_field["fields"] = {{{"path", "/contact/fax"}}};
  EXPECT_NE(errorOf(filesWith({unknown_field}))
                .find("structure_referente.json, rule r-champ: the selector"),
            std::string::npos);

  auto sensitive = rule("r-sante");
  sensitive["fields"] = {{{"section", "sante"}}};
  EXPECT_NE(
      errorOf(filesWith({sensitive})).find("rule r-sante: covers the sensitive field /sante/"),
      std::string::npos);

  auto consent_mismatch = rule("r-consent");
  consent_mismatch["consent"] = true;
  EXPECT_NE(errorOf(filesWith({consent_mismatch})).find("rule r-consent: consent is required but"),
            std::string::npos);
  auto basis_mismatch = rule("r-basis");
  basis_mismatch["legal_basis"]["article_6"] = "6-1-a";
  EXPECT_NE(errorOf(filesWith({basis_mismatch})).find("rule r-basis: the legal basis is consent"),
            std::string::npos);

  auto purpose = rule("r-but");
  purpose["purposes"] = {"marketing"};
  EXPECT_NE(errorOf(filesWith({purpose})).find("rule r-but: unknown purpose"), std::string::npos);

  auto typo = rule("r-typo");
  typo["acess"] = "read";
  EXPECT_NE(errorOf(filesWith({typo})).find("rule r-typo: unknown key \"acess\""),
            std::string::npos);

  EXPECT_NE(
      errorOf(filesWith({rule("r1"), rule("r1")})).find("rule r1: another rule has the same id"),
      std::string::npos);
}

TEST(PolicySetTest, SurveyContactRulesGiveEvaluateursIdentityAndContactForEvaluationOnly) {
  const auto policy = PolicySet::builtin(schemas::FieldCatalogue::builtin());
  EXPECT_TRUE(policy.grantsAny(core::PartnerKind::evaluateur, core::Purpose::evaluation,
                               Access::survey_contact));
  EXPECT_FALSE(
      policy.grantsAny(core::PartnerKind::evaluateur, core::Purpose::evaluation, Access::read))
      << "a survey-contact rule never opens an API read";

  auto contact = rule("r-enquete");
  contact["access"] = "survey_contact";
  contact["purposes"] = {"evaluation"};
  contact["legal_basis"] = {{"article_6", "6-1-a"}};
  contact["consent"] = true;
  EXPECT_EQ(errorOf(filesWith({contact}, "evaluateur")), "accepted");
  EXPECT_NE(errorOf(filesWith({contact}, "caf")).find("only an evaluateur receives"),
            std::string::npos);
  auto other_purpose = contact;
  other_purpose["purposes"] = {"evaluation", "statistique"};
  EXPECT_NE(errorOf(filesWith({other_purpose}, "evaluateur")).find("purpose evaluation only"),
            std::string::npos);
  auto nir = contact;
  nir["fields"] = {{{"section", "identite"}}};
  EXPECT_NE(errorOf(filesWith({nir}, "evaluateur")).find("(not /identite/nir)"), std::string::npos);
  auto household = contact;
  household["fields"] = {{{"path", "/foyer/situation_maritale"}}};
  EXPECT_NE(errorOf(filesWith({household}, "evaluateur")).find("identity and contact fields only"),
            std::string::npos);
  auto typo = contact;
  typo["access"] = "export";
  EXPECT_NE(errorOf(filesWith({typo}, "evaluateur"))
                .find("access must be \"read\", \"write\" or \"survey_contact\""),
            std::string::npos);
}

TEST(PolicySetTest, ContradictoryRulesAreRefusedNamingBoth) {
  auto open = rule("r-ouvert");
  auto gated = rule("r-consent");
  gated["consent"] = true;
  gated["legal_basis"]["article_6"] = "6-1-a";
  const auto error = errorOf(filesWith({open, gated}));
  EXPECT_NE(error.find("rule r-consent: contradicts rule r-ouvert"), std::string::npos) << error;
}

TEST(PolicySetTest, BadFilesAreRefusedNamingThem) {
  EXPECT_NE(errorOf({{"caf.json", "{}"}}).find("policy policy.json: the manifest is missing"),
            std::string::npos);
  auto files = filesWith({rule("r1")});
  files["banque.json"] = R"({"partner_kind":"banque","rules":[]})";
  EXPECT_NE(errorOf(files).find("policy banque.json: unknown partner kind"), std::string::npos);
  files = filesWith({rule("r1")});
  files["caf.json"] = R"({"partner_kind":"msa","rules":[]})";
  EXPECT_NE(errorOf(files).find("go in msa.json"), std::string::npos);
  files = filesWith({rule("r1")});
  files["msa.json"] = "{ not json";
  EXPECT_NE(errorOf(files).find("policy msa.json: not valid JSON"), std::string::npos);
  files = filesWith({rule("r1")});
  files["policy.json"] = R"({"version":"t","title":"T","relationship_required":["banque"]})";
  EXPECT_NE(errorOf(files).find("unknown partner kind"), std::string::npos);
}

}  // namespace
}  // namespace passerelle::policies

namespace passerelle::policies {
namespace {

// Who records consents and what each kind matches on are policy data, read from the manifest
// and stated in French by `policy explain`.
TEST(PolicyCapabilitiesTest, TheManifestSaysWhoRecordsConsentsAndWhatEachKindMatchesOn) {
  using core::PartnerKind;
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto policy = PolicySet::builtin(catalogue);
  EXPECT_EQ(policy.consentRecording(PartnerKind::departement), ConsentGrantees::any);
  EXPECT_EQ(policy.consentRecording(PartnerKind::structure_referente), ConsentGrantees::self);
  for (auto k : {PartnerKind::caf, PartnerKind::msa, PartnerKind::france_travail,
                 PartnerKind::evaluateur, PartnerKind::dpo})
    EXPECT_FALSE(policy.consentRecording(k)) << core::toString(k);
  EXPECT_TRUE(policy.withdrawsAnyConsent(PartnerKind::departement));
  EXPECT_FALSE(policy.withdrawsAnyConsent(PartnerKind::structure_referente));
  EXPECT_TRUE(policy.matchesOn(PartnerKind::france_travail, MatchKey::france_travail));
  EXPECT_FALSE(policy.matchesOn(PartnerKind::france_travail, MatchKey::departement));
  EXPECT_TRUE(policy.matchesOn(PartnerKind::caf, MatchKey::caf));
  EXPECT_FALSE(policy.matchesOn(PartnerKind::caf, MatchKey::msa));
  EXPECT_FALSE(policy.matchesOn(PartnerKind::structure_referente, MatchKey::nir));
  EXPECT_EQ(matchKeyOf({core::IdentifierKind::caf, "MSA:931:12"}), MatchKey::msa);

  std::ostringstream text;
  explainPolicy(text, policy, catalogue, PartnerKind::france_travail, std::nullopt);
  EXPECT_NE(text.str().find("Retrouve une personne par : NIR, identifiant France Travail — et "
                            "seulement si l'identité transmise est celle du dossier."),
            std::string::npos)
      << text.str();
  EXPECT_EQ(text.str().find("Enregistre"), std::string::npos) << "France Travail records none";
  text.str("");
  explainPolicy(text, policy, catalogue, PartnerKind::structure_referente, std::nullopt);
  EXPECT_NE(text.str().find("Enregistre les consentements donnés à lui-même"), std::string::npos);

  auto files = PolicySet::builtinFiles();
  auto manifest = json::parse(files.at("policy.json"));
  manifest["match_on"]["caf"] = {"nir", "matricule"};
  files["policy.json"] = manifest.dump();
  EXPECT_THROW(PolicySet::parse(files, catalogue), PolicyError);
  manifest["match_on"]["caf"] = {"nir"};
  manifest["consent_recorders"]["caf"] = "others";
  files["policy.json"] = manifest.dump();
  EXPECT_THROW(PolicySet::parse(files, catalogue), PolicyError);
}

}  // namespace
}  // namespace passerelle::policies
