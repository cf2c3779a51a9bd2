#include <gtest/gtest.h>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "passerelle/dossiers/person_match.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "service_harness.hpp"

namespace passerelle::dossiers {
namespace {

using core::ErrorKind;
using core::IdentifierKind;
using core::Purpose;
using core::Section;
using nlohmann::json;

ErrorKind kindOf(const std::function<void()>& f, std::vector<core::FieldError>* fields = nullptr) {
  try {
    f();
  } catch (const core::DomainError& e) {
    if (fields) *fields = e.fieldErrors();
    return e.kind();
  }
  ADD_FAILURE() << "no DomainError";
  return ErrorKind::invalid_input;
}

bool names(const std::vector<core::FieldError>& errors, const std::string& pointer) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const auto& e) { return e.pointer == pointer; });
}

class DossierServiceTest : public ::testing::Test {
 protected:
  // Identite + CAF identifier, as the CAF pushes them.
  json fromCaf(std::size_t i = 0) const {
    return {{"identite", person(i)["identite"]},
            {"identifiants", {{"caf", person(i)["identifiants"]["caf"]}}}};
  }
  const json& person(std::size_t i) const { return people_[i]; }
  store::Precondition any() const { return store::Precondition::any(); }

  testing::ServiceHarness h_;
  std::vector<json> people_ = testdata::syntheticDossiers(5);
};

TEST_F(DossierServiceTest, CafCreatesThenMatchesOnTheStrongestIdentifier) {
  const auto caf = h_.as("caf", Purpose::instruction_rsa);
  const auto created = h_.dossiers.createOrMatch(caf, fromCaf(), "test");
  EXPECT_FALSE(created.matched);
  EXPECT_EQ(created.written.size(), 2u);
  const auto again = h_.dossiers.createOrMatch(caf, fromCaf(), "test");
  EXPECT_TRUE(again.matched);
  EXPECT_EQ(again.id, created.id);
  EXPECT_EQ(again.matched_on, IdentifierKind::nir);
  EXPECT_TRUE(again.written.empty());
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 1);
}

TEST_F(DossierServiceTest, MatchesByEachIdentifierAlone) {
  const auto id = h_.createAsCaf(0);
  const auto dep = h_.as("departement");
  h_.dossiers.writeSection(dep, id, Section::identifiants, person(0)["identifiants"], any(),
                           "test");
  auto identite = person(0)["identite"];
  identite.erase("nir");
  const auto& ids = person(0)["identifiants"];
  const std::vector<std::pair<IdentifierKind, json>> cases = {
      {IdentifierKind::caf, {{"caf", ids["caf"]}}},
      {IdentifierKind::france_travail, {{"france_travail", ids["france_travail"]}}},
      {IdentifierKind::departement, {{"departement", ids["departement"]}}}};
  for (const auto& [kind, identifiants] : cases) {
    const auto r = h_.dossiers.createOrMatch(
        dep, {{"identite", identite}, {"identifiants", identifiants}}, "test");
    EXPECT_TRUE(r.matched) << core::toString(kind);
    EXPECT_EQ(r.id, id);
    EXPECT_EQ(r.matched_on, kind);
  }
}

TEST_F(DossierServiceTest, LookupNormalisesWhatPartnersWrite) {
  const auto id = h_.createAsCaf(0);
  const auto dep = h_.as("departement");
  const std::string nir = person(0)["identite"]["nir"];
  const std::string matricule = person(0)["identifiants"]["caf"]["matricule"];
  const std::string organisme = person(0)["identifiants"]["caf"]["organisme"];
  const std::string other = organisme == "CAF" ? "MSA" : "CAF";
  EXPECT_EQ(h_.dossiers.lookup(dep, parseQueryIdentifier(IdentifierKind::nir,
                                                         nir.substr(0, 5) + " " + nir.substr(5))),
            id);
  EXPECT_EQ(h_.dossiers.lookup(dep, parseQueryIdentifier(IdentifierKind::nir, nir.substr(0, 13))),
            id);
  EXPECT_EQ(h_.dossiers.lookup(
                dep, parseQueryIdentifier(IdentifierKind::caf, organisme + ":931:000" + matricule)),
            id);
  EXPECT_EQ(kindOf([&] {
              h_.dossiers.lookup(
                  dep, parseQueryIdentifier(IdentifierKind::caf, other + ":931:" + matricule));
            }),
            ErrorKind::not_found);
  EXPECT_THROW(parseQueryIdentifier(IdentifierKind::caf, "931-123456"), core::DomainError);
  EXPECT_THROW(parseQueryIdentifier(IdentifierKind::nir, "255081416802539"), core::DomainError);
}

TEST_F(DossierServiceTest, IdentifiersOfTwoDifferentDossiersConflict) {
  h_.createAsCaf(0);
  const auto second = h_.createAsCaf(1);
  const auto dep = h_.as("departement");
  h_.dossiers.writeSection(dep, second, Section::identifiants,
                           {{"departement", person(1)["identifiants"]["departement"]}}, any(),
                           "test");
  // Person 0's NIR with person 1's Département id.
  json mixed = fromCaf(0);
  mixed["identifiants"]["departement"] = person(1)["identifiants"]["departement"];
  EXPECT_EQ(kindOf([&] { h_.dossiers.createOrMatch(dep, mixed, "test"); }), ErrorKind::conflict);
}

// The CAF/MSA matricule is the household's: each member is a dossier of their own, matched on
// the matricule with their name and birth date, accents and case aside.
TEST_F(DossierServiceTest, AHouseholdMatriculeMatchesEachMemberByNameAndBirthDate) {
  const auto caf = h_.as("caf", Purpose::instruction_rsa);
  json household = person(0)["identifiants"]["caf"];
  household["organisme"] = "CAF";  // a CAF matches on its own matricules (policy match_on)
  auto member = [&](std::size_t i) {
    json body = {{"identite", person(i)["identite"]}, {"identifiants", {{"caf", household}}}};
    body["identite"].erase("nir");
    return body;
  };
  const auto first = h_.dossiers.createOrMatch(caf, member(0), "test");
  const auto second = h_.dossiers.createOrMatch(caf, member(1), "test");
  EXPECT_FALSE(first.matched);
  EXPECT_FALSE(second.matched) << "another member of the household is another person";
  EXPECT_NE(first.id, second.id);

  auto again = member(1);
  again["identite"]["nom_naissance"] =
      dossiers::foldName(again["identite"]["nom_naissance"].get<std::string>());
  again["identite"]["prenoms"][0] =
      dossiers::foldName(again["identite"]["prenoms"][0].get<std::string>());
  const auto matched = h_.dossiers.createOrMatch(caf, again, "test");
  EXPECT_TRUE(matched.matched);
  EXPECT_EQ(matched.id, second.id);
  EXPECT_EQ(matched.matched_on, IdentifierKind::caf);

  auto other_birth = member(1);
  other_birth["identite"]["date_naissance"] = "1901-01-01";
  EXPECT_FALSE(h_.dossiers.createOrMatch(caf, other_birth, "test").matched);
  // Looking a household up by its matricule alone cannot say which member is meant.
  EXPECT_EQ(kindOf([&] {
              h_.dossiers.lookup(
                  h_.as("departement"),
                  parseQueryIdentifier(IdentifierKind::caf,
                                       household["organisme"].get<std::string>() + ":" +
                                           household["numero_organisme"].get<std::string>() + ":" +
                                           household["matricule"].get<std::string>()));
            }),
            ErrorKind::conflict);
}

TEST(PersonMatchTest, FoldsAccentsLigaturesCaseAndPunctuation) {
  EXPECT_EQ(dossiers::foldName("Jérôme"), "JEROME");
  EXPECT_EQ(dossiers::foldName("Lætitia"), "LAETITIA");
  EXPECT_EQ(dossiers::foldName("Cœur-de-Lion"), "COEURDELION");
  EXPECT_EQ(dossiers::foldName("N'Diaye Ba"), "NDIAYEBA");
  EXPECT_EQ(dossiers::foldName("Müller ×"), "MULLER");
  json a = {{"nom_naissance", "Éloïse"},
            {"prenoms", {"Anaïs", "Marie"}},
            {"date_naissance", "1990-02-03"}};
  json b = {{"nom_naissance", "X"},
            {"nom_usage", "ELOISE"},
            {"prenoms", {"ANAIS"}},
            {"date_naissance", "1990-02-03"}};
  EXPECT_TRUE(dossiers::samePerson(a, b)) << "the usage name may match the birth name";
  b["prenoms"] = {"Marie"};
  EXPECT_FALSE(dossiers::samePerson(a, b)) << "the first given name must match";
}

TEST_F(DossierServiceTest, CreationErrorsNameEachBadFieldWithItsSection) {
  json body = fromCaf();
  body["identite"]["sexe"] = "X";
  body["contact"] = {{"email", "pas-une-adresse"}};
  body["nir"] = "255081416802538";
  std::vector<core::FieldError> errors;
  EXPECT_EQ(
      kindOf(
          [&] { h_.dossiers.createOrMatch(h_.as("caf", Purpose::instruction_rsa), body, "test"); },
          &errors),
      ErrorKind::validation_failed);
  EXPECT_TRUE(names(errors, "/identite/sexe"));
  EXPECT_TRUE(names(errors, "/contact/email"));
  EXPECT_TRUE(names(errors, "/nir"));
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 0);
}

TEST_F(DossierServiceTest, CreationNeedsIdentityAndAnIdentifier) {
  const auto caf = h_.as("caf", Purpose::instruction_rsa);
  std::vector<core::FieldError> errors;
  kindOf([&] { h_.dossiers.createOrMatch(caf, {{"contact", json::object()}}, "test"); }, &errors);
  EXPECT_TRUE(names(errors, "/identite"));
  auto identite = person(0)["identite"];
  identite.erase("nir");
  kindOf([&] { h_.dossiers.createOrMatch(caf, {{"identite", identite}}, "test"); }, &errors);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/identifiants");
}

TEST_F(DossierServiceTest, AnOrdinaryWriteNeverChangesTheNirNorTheBirthDate) {
  const auto id = h_.createAsCaf(0);
  const auto caf = h_.as("caf", Purpose::instruction_rsa);
  for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"nir", "185057800608491"}, {"date_naissance", "1901-02-03"}}) {
    auto identite = person(0)["identite"];
    identite[field] = value;
    std::vector<core::FieldError> errors;
    EXPECT_EQ(kindOf(
                  [&] {
                    h_.dossiers.writeSection(caf, id, Section::identite, identite,
                                             store::Precondition::mustBeVersion(1), "test");
                  },
                  &errors),
              ErrorKind::conflict)
        << field;
    EXPECT_TRUE(names(errors, "/" + field)) << field;
  }
  auto renamed = person(0)["identite"];  // names change; the NIR and the birth date stay
  const std::string nir = renamed["nir"];
  renamed["nom_usage"] = "NOUVEAU-NOM";
  h_.dossiers.writeSection(caf, id, Section::identite, renamed, any(), "test");
  const auto dep = h_.as("departement");
  EXPECT_EQ(h_.dossiers.lookup(dep, parseQueryIdentifier(IdentifierKind::nir, nir)), id);
  EXPECT_EQ(kindOf([&] {
              h_.dossiers.lookup(dep, {IdentifierKind::nir, "1850578006084"});
            }),
            ErrorKind::not_found);

  // A first NIR may be given, and is indexed.
  auto without = person(1)["identite"];
  without.erase("nir");
  const auto second =
      h_.dossiers
          .createOrMatch(caf, {{"identite", without}, {"identifiants", fromCaf(1)["identifiants"]}},
                         "test")
          .id;
  h_.dossiers.writeSection(caf, second, Section::identite, person(1)["identite"], any(), "test");
  EXPECT_EQ(h_.dossiers.lookup(
                dep, parseQueryIdentifier(IdentifierKind::nir,
                                          person(1)["identite"]["nir"].get<std::string>())),
            second);
}

TEST_F(DossierServiceTest, AStructureCannotCreateNorLearnFromAMatch) {
  h_.createAsCaf(0);
  EXPECT_EQ(kindOf([&] { h_.dossiers.createOrMatch(h_.as("mission-locale"), fromCaf(0), "test"); }),
            ErrorKind::forbidden);
}

TEST_F(DossierServiceTest, TheDepartementMayNotWriteTheNir) {
  std::vector<core::FieldError> errors;
  EXPECT_EQ(
      kindOf([&] { h_.dossiers.createOrMatch(h_.as("departement"), fromCaf(3), "test"); }, &errors),
      ErrorKind::forbidden);
  EXPECT_TRUE(names(errors, "/identite/nir"));
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 0);
}

TEST_F(DossierServiceTest, AWriteWithOneForbiddenFieldIsRefusedWhole) {
  const auto id = h_.createAsCaf(0);
  const auto ft = h_.as("france-travail");
  // Matches on the NIR with the same identity: France Travail becomes a source.
  h_.dossiers.createOrMatch(ft, {{"identite", person(0)["identite"]}}, "test");
  std::vector<core::FieldError> errors;
  EXPECT_EQ(kindOf(
                [&] {
                  h_.dossiers.writeSection(ft, id, Section::droits, person(0)["droits"], any(),
                                           "test");
                },
                &errors),
            ErrorKind::forbidden);
  EXPECT_TRUE(names(errors, "/droits/rsa/etat_dossier"));
  EXPECT_EQ(h_.stores.dossiers->history(id).size(), 5u) << "nothing may have been written";
}

TEST_F(DossierServiceTest, FieldsTheWriterMayNotWriteAreCarriedOver) {
  const auto id = h_.createAsCaf(0);
  h_.dossiers.writeSection(h_.as("departement"), id, Section::identifiants,
                           person(0)["identifiants"], any(), "test");
  const auto ft = h_.as("france-travail");
  h_.dossiers.createOrMatch(
      ft,
      {{"identite", person(0)["identite"]},
       {"identifiants", {{"france_travail", person(0)["identifiants"]["france_travail"]}}}},
      "test");
  h_.dossiers.writeSection(ft, id, Section::identifiants, {{"france_travail", "NOUVEAU42"}}, any(),
                           "test");
  const auto stored =
      json::parse(h_.stores.dossiers->currentSection(id, Section::identifiants)->content);
  EXPECT_EQ(stored["france_travail"], "NOUVEAU42");
  EXPECT_EQ(stored["caf"], person(0)["identifiants"]["caf"]);
  EXPECT_EQ(stored["departement"], person(0)["identifiants"]["departement"]);
  const auto dep = h_.as("departement");
  EXPECT_EQ(h_.dossiers.lookup(dep, {IdentifierKind::france_travail, "NOUVEAU42"}), id);
  const auto& caf = person(0)["identifiants"]["caf"];
  EXPECT_EQ(h_.dossiers.lookup(
                dep, parseQueryIdentifier(IdentifierKind::caf,
                                          caf["organisme"].get<std::string>() +
                                              ":931:" + caf["matricule"].get<std::string>())),
            id);
}

TEST_F(DossierServiceTest, APurposeWithoutRulesIsForbiddenBeforeAnythingIsLookedUp) {
  const auto missing = *core::DossierId::parse("d" + std::string(26, 'q'));
  EXPECT_EQ(kindOf([&] { h_.dossiers.read(h_.as("evaluateur", Purpose::evaluation), missing); }),
            ErrorKind::forbidden);
  EXPECT_EQ(kindOf([&] { h_.dossiers.read(h_.as("caf", Purpose::accompagnement), missing); }),
            ErrorKind::forbidden);
  EXPECT_EQ(kindOf([&] { h_.dossiers.read(h_.as("departement"), missing); }), ErrorKind::not_found);
}

TEST_F(DossierServiceTest, HistoryIsForTheDepartementAndTheDpo) {
  const auto id = h_.createAsCaf(0);
  EXPECT_EQ(h_.dossiers.history(h_.as("dpo", Purpose::controle), id).size(), 5u);
  EXPECT_EQ(h_.dossiers.history(h_.as("departement"), id).size(), 5u);
  EXPECT_EQ(kindOf([&] { h_.dossiers.history(h_.as("caf", Purpose::instruction_rsa), id); }),
            ErrorKind::forbidden);
}

TEST_F(DossierServiceTest, ReadsOfUnknownDossiersAndSectionsAreNotFound) {
  const auto dep = h_.as("departement");
  const auto missing = *core::DossierId::parse("d" + std::string(26, 'q'));
  EXPECT_EQ(kindOf([&] { h_.dossiers.read(dep, missing); }), ErrorKind::not_found);
  const auto id = h_.createAsCaf(0);
  EXPECT_EQ(kindOf([&] { h_.dossiers.readSection(dep, id, Section::parcours); }),
            ErrorKind::not_found);
  EXPECT_EQ(h_.dossiers.read(dep, id).sections.size(), 5u);
}

}  // namespace
}  // namespace passerelle::dossiers
