#include "passerelle/dossiers/dossier_service.hpp"

#include <gtest/gtest.h>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "passerelle/store/sqlite_store.hpp"
#include "temp_dir.hpp"

namespace passerelle::dossiers {
namespace {

using core::ErrorKind;
using core::IdentifierKind;
using nlohmann::json;

json person(const std::string& nir = "255081416802538") {
  json identite = {
      {"nom_naissance", "Pissenlit"}, {"prenoms", {"Zoé"}}, {"date_naissance", "1955-08-03"}};
  if (!nir.empty()) identite["nir"] = nir;
  return {{"identite", identite},
          {"identifiants",
           {{"caf", {{"organisme", "CAF"}, {"numero_organisme", "931"}, {"matricule", "0123456"}}},
            {"france_travail", "4455667X"},
            {"departement", "D93-0001"}}}};
}

class DossierServiceTest : public ::testing::Test {
 protected:
  DossierServiceTest()
      : master_(crypto::MasterKey::generate()),
        store_(store::openSqliteStore({dir_ / "s.db", 2}, master_)),
        service_(*store_, validator_) {}

  std::vector<core::FieldError> validationErrors(const std::function<void()>& f) {
    try {
      f();
    } catch (const core::DomainError& e) {
      EXPECT_EQ(e.kind(), ErrorKind::validation_failed);
      return e.fieldErrors();
    }
    ADD_FAILURE() << "no validation error";
    return {};
  }

  testing::TempDir dir_;
  crypto::MasterKey master_;
  std::unique_ptr<store::DossierStore> store_;
  schemas::SectionValidator validator_;
  DossierService service_;
  const store::WriteContext ctx_{core::PartnerId("caf"), "test"};
};

TEST_F(DossierServiceTest, CreatesThenMatchesOnTheStrongestIdentifier) {
  const auto created = service_.createOrMatch(person(), ctx_);
  EXPECT_FALSE(created.matched);
  EXPECT_EQ(created.written.size(), 2u);
  const auto again = service_.createOrMatch(person(), ctx_);
  EXPECT_TRUE(again.matched);
  EXPECT_EQ(again.id, created.id);
  EXPECT_EQ(again.matched_on, IdentifierKind::nir);
  EXPECT_TRUE(again.written.empty());
  EXPECT_EQ(store_->dossierCount(), 1);
}

TEST_F(DossierServiceTest, MatchesByEachIdentifierAlone) {
  const auto id = service_.createOrMatch(person(), ctx_).id;
  const auto base = person("");
  struct Case {
    IdentifierKind kind;
    json identifiants;
  };
  const std::vector<Case> cases = {
      {IdentifierKind::caf,
       {{"caf", {{"organisme", "CAF"}, {"numero_organisme", "931"}, {"matricule", "123456"}}}}},
      {IdentifierKind::france_travail, {{"france_travail", "4455667X"}}},
      {IdentifierKind::departement, {{"departement", "D93-0001"}}}};
  for (const auto& c : cases) {
    json body = {{"identite", base["identite"]}, {"identifiants", c.identifiants}};
    const auto r = service_.createOrMatch(body, ctx_);
    EXPECT_TRUE(r.matched) << core::toString(c.kind);
    EXPECT_EQ(r.id, id);
    EXPECT_EQ(r.matched_on, c.kind);
  }
  json nir_only = {{"identite", person()["identite"]}};
  EXPECT_EQ(service_.createOrMatch(nir_only, ctx_).matched_on, IdentifierKind::nir);
}

TEST_F(DossierServiceTest, LookupNormalisesWhatPartnersWrite) {
  const auto id = service_.createOrMatch(person(), ctx_).id;
  EXPECT_EQ(service_.lookup(parseQueryIdentifier(IdentifierKind::nir, "2 55 08 14 168 025 38")),
            id);
  EXPECT_EQ(service_.lookup(parseQueryIdentifier(IdentifierKind::nir, "2550814168025")), id);
  EXPECT_EQ(service_.lookup(parseQueryIdentifier(IdentifierKind::caf, "caf:931:0000123456")), id);
  EXPECT_EQ(service_.lookup(parseQueryIdentifier(IdentifierKind::france_travail, "4455667x")), id);
  EXPECT_EQ(service_.lookup(parseQueryIdentifier(IdentifierKind::departement, "D93-0001")), id);
  EXPECT_FALSE(service_.lookup(parseQueryIdentifier(IdentifierKind::caf, "MSA:931:123456")));
  EXPECT_THROW(parseQueryIdentifier(IdentifierKind::caf, "931-123456"), core::DomainError);
  EXPECT_THROW(parseQueryIdentifier(IdentifierKind::nir, "255081416802539"), core::DomainError);
}

TEST_F(DossierServiceTest, IdentifiersOfTwoDifferentDossiersConflict) {
  service_.createOrMatch(person(), ctx_);
  json other = {{"identite",
                 {{"nom_naissance", "Marmotte"},
                  {"prenoms", {"Léo"}},
                  {"date_naissance", "1985-05-01"},
                  {"nir", "185057800608491"}}},
                {"identifiants", {{"france_travail", "999X999"}}}};
  service_.createOrMatch(other, ctx_);
  other["identifiants"]["france_travail"] = "4455667X";  // the first person's
  try {
    service_.createOrMatch(other, ctx_);
    FAIL();
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::conflict);
  }
}

TEST_F(DossierServiceTest, CreationErrorsNameEachBadFieldWithItsSection) {
  json body = person();
  body["identite"]["sexe"] = "X";
  body["contact"] = {{"email", "pas-une-adresse"}};
  body["nir"] = "255081416802538";
  const auto errors = validationErrors([&] { service_.createOrMatch(body, ctx_); });
  auto has = [&](const std::string& p, const std::string& r) {
    return std::any_of(errors.begin(), errors.end(),
                       [&](auto& e) { return e.pointer == p && e.rule == r; });
  };
  EXPECT_TRUE(has("/identite/sexe", "enum"));
  EXPECT_TRUE(has("/contact/email", "pattern"));
  EXPECT_TRUE(has("/nir", "section"));
  EXPECT_EQ(store_->dossierCount(), 0);
}

TEST_F(DossierServiceTest, CreationNeedsIdentityAndAnIdentifier) {
  auto errors = validationErrors([&] {
    service_.createOrMatch({{"contact", json::object()}}, ctx_);
  });
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors[0].pointer, "/identite");
  json anonymous = {{"identite", person("")["identite"]}};
  errors = validationErrors([&] { service_.createOrMatch(anonymous, ctx_); });
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].pointer, "/identifiants");
  errors = validationErrors([&] { service_.createOrMatch(json::array(), ctx_); });
  EXPECT_EQ(errors.size(), 1u);
}

TEST_F(DossierServiceTest, WritingIdentiteReindexesTheNir) {
  const auto id = service_.createOrMatch(person(), ctx_).id;
  auto identite = person()["identite"];
  identite["nir"] = "185057800608491";
  service_.writeSection(id, core::Section::identite, identite,
                        store::Precondition::mustBeVersion(1), ctx_);
  EXPECT_FALSE(service_.lookup({IdentifierKind::nir, "2550814168025"}));
  EXPECT_EQ(service_.lookup({IdentifierKind::nir, "1850578006084"}), id);
}

TEST_F(DossierServiceTest, ReadsOfUnknownDossiersAndSectionsAreNotFound) {
  const auto missing = *core::DossierId::parse("d" + std::string(26, 'q'));
  EXPECT_THROW(service_.read(missing), core::DomainError);
  EXPECT_THROW(service_.history(missing), core::DomainError);
  const auto id = service_.createOrMatch(person(), ctx_).id;
  try {
    service_.readSection(id, core::Section::sante);
    FAIL();
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), ErrorKind::not_found);
  }
  EXPECT_EQ(service_.read(id).sections.size(), 2u);
}

}  // namespace
}  // namespace passerelle::dossiers
