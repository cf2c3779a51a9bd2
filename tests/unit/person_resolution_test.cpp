// A source attaches to a dossier only on its own identifiers and a matching identity; the
// identifiers of one person never pull another's record into their dossier.
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

// The error a call throws (none: the test fails), with its field pointers.
std::pair<ErrorKind, std::vector<std::string>> errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const core::DomainError& e) {
    std::vector<std::string> pointers;
    for (const auto& field : e.fieldErrors()) pointers.push_back(field.pointer);
    return {e.kind(), pointers};
  }
  ADD_FAILURE() << "no DomainError";
  return {ErrorKind::invalid_input, {}};
}

class PersonResolutionTest : public ::testing::Test {
 protected:
  PersonResolutionTest() : id_(h_.createAsCaf(0)) {
    // The Département completes the identifiers: France Travail and its own.
    h_.dossiers.writeSection(h_.as("departement"), id_, Section::identifiants,
                             person(0)["identifiants"], store::Precondition::any(), "test");
  }
  const json& person(std::size_t i) const { return people_[i]; }
  json invented() const {
    return {{"nom_naissance", "INCONNU"},
            {"prenoms", {"X"}},
            {"date_naissance", "2000-01-01"},
            {"sexe", "M"}};
  }
  // Whether France Travail can see the dossier (a relationship was made).
  bool franceTravailSees() {
    try {
      h_.dossiers.read(h_.as("france-travail"), id_);
      return true;
    } catch (const core::DomainError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::not_found);
      return false;
    }
  }
  std::string identiteNow() const {
    return h_.stores.dossiers->currentSection(id_, Section::identite)->content;
  }

  testing::ServiceHarness h_;
  std::vector<json> people_ = testdata::syntheticDossiers(3);
  core::DossierId id_;  // person 0, created by the CAF
};

TEST_F(PersonResolutionTest, ADepartementIdentifierIsNoWayInForFranceTravail) {
  const auto ft = h_.as("france-travail");
  const json body = {{"identite", invented()},
                     {"identifiants", {{"departement", person(0)["identifiants"]["departement"]}}}};
  const auto [kind, pointers] = errorOf([&] { h_.dossiers.createOrMatch(ft, body, "test"); });
  EXPECT_EQ(kind, ErrorKind::forbidden);
  EXPECT_EQ(pointers, (std::vector<std::string>{"/identifiants/departement"}));
  // The same answer for a Département id that is nobody's: it tells nothing.
  json nobody = body;
  nobody["identifiants"]["departement"] = "D-NOBODY-0001";
  EXPECT_EQ(errorOf([&] { h_.dossiers.createOrMatch(ft, nobody, "test"); }).second, pointers);
  EXPECT_FALSE(franceTravailSees());
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 1);
}

TEST_F(PersonResolutionTest, ItsOwnIdentifierWithAnotherIdentityAttachesNobody) {
  const auto ft = h_.as("france-travail");
  const json ft_id = {{"france_travail", person(0)["identifiants"]["france_travail"]}};
  const auto [kind, pointers] = errorOf([&] {
    h_.dossiers.createOrMatch(ft, {{"identite", invented()}, {"identifiants", ft_id}}, "test");
  });
  EXPECT_EQ(kind, ErrorKind::conflict);
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/identite/date_naissance"),
            pointers.end());
  // Same birth date, another name: still not the person.
  auto homonym = person(0)["identite"];
  homonym.erase("nir");
  homonym["prenoms"] = {"Autre"};
  EXPECT_EQ(
      errorOf([&] {
        h_.dossiers.createOrMatch(ft, {{"identite", homonym}, {"identifiants", ft_id}}, "test");
      }).second,
      std::vector<std::string>{"/identite"});
  EXPECT_FALSE(franceTravailSees());

  auto same = person(0)["identite"];
  same.erase("nir");
  same["nom_naissance"] = foldName(same["nom_naissance"].get<std::string>());
  const auto matched =
      h_.dossiers.createOrMatch(ft, {{"identite", same}, {"identifiants", ft_id}}, "test");
  EXPECT_TRUE(matched.matched);
  EXPECT_EQ(matched.matched_on, IdentifierKind::france_travail);
  EXPECT_TRUE(franceTravailSees());
}

// The flux's data-entry error: a second person, of another household, carries the first
// one's France Travail id. Before, they became one dossier with the last one's identity.
TEST_F(PersonResolutionTest, AnotherPersonWithTheSameFranceTravailIdIsNeverMergedIn) {
  const auto before = identiteNow();
  auto other = testdata::cafPushOf(person(1));
  other["identifiants"]["france_travail"] = person(0)["identifiants"]["france_travail"];
  const auto caf = h_.as("caf", Purpose::instruction_rsa);
  const auto [kind, pointers] = errorOf([&] { h_.dossiers.createOrMatch(caf, other, "test"); });
  EXPECT_EQ(kind, ErrorKind::conflict);
  EXPECT_NE(std::find(pointers.begin(), pointers.end(), "/identifiants/france_travail"),
            pointers.end());
  // As an import: refused, nothing written.
  ImportPerson incoming;
  incoming.sections = other;
  EXPECT_EQ(errorOf([&] { h_.dossiers.importPerson(caf, incoming, "test"); }).first,
            ErrorKind::conflict);
  EXPECT_EQ(identiteNow(), before);
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 1);
  EXPECT_EQ(
      h_.dossiers.lookup(h_.as("departement"),
                         parseQueryIdentifier(IdentifierKind::nir,
                                              person(0)["identite"]["nir"].get<std::string>())),
      id_);
}

TEST_F(PersonResolutionTest, NoIdentifierOrBirthDateSentMayContradictTheDossier) {
  const auto dep = h_.as("departement");
  auto identite = person(0)["identite"];
  identite.erase("nir");
  const json ft_id = {{"france_travail", person(0)["identifiants"]["france_travail"]}};
  auto born_later = identite;
  born_later["date_naissance"] = "1999-12-31";
  EXPECT_EQ(
      errorOf([&] {
        h_.dossiers.createOrMatch(dep, {{"identite", born_later}, {"identifiants", ft_id}}, "test");
      }).second,
      std::vector<std::string>{"/identite/date_naissance"});
  // Another NIR, which designates nobody, beside an identifier of the dossier.
  auto other_nir = identite;
  other_nir["nir"] = person(2)["identite"]["nir"];
  ImportPerson incoming;
  incoming.sections = {{"identite", other_nir}, {"identifiants", ft_id}};
  EXPECT_EQ(errorOf([&] { h_.dossiers.importPerson(dep, incoming, "test"); }).second,
            std::vector<std::string>{"/identite/nir"});
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 1);
  // The same identity, names spelt otherwise: the Département designates the dossier.
  EXPECT_EQ(
      h_.dossiers.createOrMatch(dep, {{"identite", identite}, {"identifiants", ft_id}}, "test").id,
      id_);
}

TEST_F(PersonResolutionTest, ACafMatchesOnItsOwnMatriculesOnly) {
  const auto caf = h_.as("caf", Purpose::instruction_rsa);
  auto push = testdata::cafPushOf(person(2));
  push["identite"].erase("nir");
  push["identifiants"]["caf"]["organisme"] = "MSA";
  const auto created = h_.dossiers.createOrMatch(caf, push, "test");
  EXPECT_FALSE(created.matched);
  // An MSA household's member designated by an MSA matricule: not a CAF's way in.
  EXPECT_EQ(errorOf([&] { h_.dossiers.createOrMatch(caf, push, "test"); }).first,
            ErrorKind::conflict);
  push["identifiants"]["caf"]["organisme"] = "CAF";
  EXPECT_FALSE(h_.dossiers.createOrMatch(caf, push, "test").matched)
      << "a CAF matricule with the same number is another household";
}

}  // namespace
}  // namespace passerelle::dossiers
