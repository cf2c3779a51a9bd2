// The CAF/MSA RSA flux reader on the fixtures of tests/data/caf (written from the CNAF schema, in
// windows-1252 like the real files): XSD validation with lines, the mapping into DUI sections,
// minimisation, and refusals of files that cannot be used.
#include "passerelle/connectors/caf_flux.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "passerelle/core/section.hpp"
#include "passerelle/schemas/section_validator.hpp"
#include "temp_dir.hpp"

namespace passerelle::connectors {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kData = fs::path(PASSERELLE_TEST_DATA) / "caf";

std::string readAll(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<CafHousehold> readAllHouseholds(const fs::path& file, IgnoredElements& ignored) {
  const auto check = checkCafFlux(file);
  EXPECT_FALSE(check.fatal) << *check.fatal;
  std::vector<CafHousehold> out;
  readCafFlux(file, check, ignored, [&](const CafHousehold& h) { out.push_back(h); });
  return out;
}

TEST(CafFluxTest, AMonthlyFluxIsValidatedDecodedAndMapped) {
  const auto check = checkCafFlux(kData / "flux-mensuel.xml");
  ASSERT_FALSE(check.fatal) << *check.fatal;
  EXPECT_EQ(check.header.type, "M");
  EXPECT_EQ(check.header.reference_date, "2026-09-30");
  EXPECT_EQ(check.households, 3u);
  EXPECT_EQ(check.announced, 3u);
  EXPECT_TRUE(check.rejected.empty());

  IgnoredElements ignored;
  const auto households = readAllHouseholds(kData / "flux-mensuel.xml", ignored);
  ASSERT_EQ(households.size(), 3u);

  const auto& couple = households[0];
  EXPECT_EQ(couple.number, 1u);
  EXPECT_EQ(couple.organisme, "CAF");
  EXPECT_EQ(couple.matricule, "0123456");
  ASSERT_EQ(couple.persons.size(), 3u) << "one dossier per person of the household";
  const auto& noemie = couple.persons[0].sections;
  EXPECT_EQ(noemie["identite"]["prenoms"], json::array({"Noémie"})) << "windows-1252 to UTF-8";
  EXPECT_EQ(noemie["identite"]["nom_naissance"], "Hérisson");
  EXPECT_EQ(noemie["identite"]["sexe"], "F");
  EXPECT_EQ(noemie["identite"]["nir"], "2910442218003");
  EXPECT_EQ(noemie["identite"]["commune_naissance_libelle"], "Saint-Étienne");
  EXPECT_EQ(noemie["identifiants"]["france_travail"], "1234567A");
  EXPECT_EQ(noemie["contact"]["adresse"], json({{"lignes", {"Bâtiment B", "12 rue de l'Église"}},
                                                {"code_postal", "93100"},
                                                {"code_commune_insee", "93048"},
                                                {"commune", "Montreuil"}}));
  EXPECT_EQ(noemie["contact"]["sans_domicile_fixe"], false);
  EXPECT_EQ(noemie["foyer"], json({{"situation_maritale", "marie"},
                                   {"nombre_enfants", 1},
                                   {"enfants_a_charge", true},
                                   {"role_foyer_rsa", "demandeur"}}));
  EXPECT_EQ(
      noemie["droits"]["rsa"],
      json({{"etat_dossier", 2}, {"date_demande", "2024-02-12"}, {"soumis_droits_devoirs", true}}));
  const auto& jerome = couple.persons[1].sections;
  EXPECT_EQ(jerome["identite"]["nom_naissance"], "Lefèvre");
  EXPECT_EQ(jerome["identite"]["nom_usage"], "Hérisson");
  EXPECT_EQ(jerome["foyer"]["role_foyer_rsa"], "conjoint");
  EXPECT_EQ(couple.persons[2].role, "ENF");
  EXPECT_FALSE(couple.persons[2].sections["identite"].contains("nir"));

  const auto& francoise = households[1].persons[0].sections;
  EXPECT_EQ(francoise["identite"]["nom_naissance"], "Œillet") << "Œ is windows-1252, not latin-1";
  EXPECT_EQ(francoise["identifiants"]["caf"]["organisme"], "MSA");
  EXPECT_EQ(francoise["droits"]["rsa"]["motif_suspension"], "06");
  EXPECT_EQ(francoise["droits"]["rsa"]["date_suspension"], "2026-08-01");
  EXPECT_EQ(francoise["contact"]["adresse"]["lignes"],
            json::array({"3 allée des Cœurs Vaillants"}));

  const auto& thanh = households[2].persons[0].sections;
  EXPECT_EQ(thanh["droits"]["rsa"]["motif_cloture"], "PCG");
  EXPECT_EQ(thanh["droits"]["rsa"]["date_cloture"], "2026-09-30");
  EXPECT_EQ(thanh["droits"]["rsa"]["soumis_droits_devoirs"], false);
  EXPECT_EQ(thanh["contact"]["sans_domicile_fixe"], true);

  // Every section is valid against the DUI's schemas.
  const schemas::SectionValidator validator;
  for (const auto& h : households)
    for (const auto& p : h.persons)
      for (const auto& [name, document] : p.sections.items()) {
        const auto errors = validator.validate(*core::parseSection(name), document);
        EXPECT_TRUE(errors.empty()) << name << ": " << document.dump();
      }

  // What the DUI does not hold was left out, and counted.
  EXPECT_EQ(ignored["Grossesse"], 1u);
  EXPECT_EQ(ignored["Ressources"], 1u);
  EXPECT_EQ(ignored["PensionAlimentaire"], 1u);
  EXPECT_EQ(ignored["PaiementTiers"], 1u);
  EXPECT_EQ(ignored["Controle"], 1u);
  EXPECT_EQ(ignored["MTPERSRESSMENRSA"], 4u);
  const auto all = json(households[0].persons[0].sections).dump() +
                   json(households[0].persons[1].sections).dump();
  for (const char* absent : {"412.5", "2026-05-02", "Bailleur", "150.0", "JUG"})
    EXPECT_EQ(all.find(absent), std::string::npos) << absent;
}

TEST(CafFluxTest, ADailyFluxIsTypeI) {
  IgnoredElements ignored;
  const auto check = checkCafFlux(kData / "flux-quotidien.xml");
  ASSERT_FALSE(check.fatal) << *check.fatal;
  EXPECT_EQ(check.header.type, "I");
  const auto households = readAllHouseholds(kData / "flux-quotidien.xml", ignored);
  ASSERT_EQ(households.size(), 2u);
  EXPECT_EQ(households[0].persons[0].sections["identite"]["prenoms"][0], "Anaïs");
  EXPECT_EQ(households[1].persons[0].sections["contact"]["adresse"]["lignes"][1],
            "7 rue Édouard Vaillant");
}

TEST(CafFluxTest, ACodeTheSchemaAllowsButTheDuiDoesNotIsPassedOnNotFatal) {
  passerelle::testing::TempDir dir;
  auto text = readAll(kData / "flux-quotidien.xml");
  text.replace(text.find("<ETATDOSRSA>0"), 13, "<ETATDOSRSA>X");
  std::ofstream(dir.path() / "x.xml", std::ios::binary) << text;
  IgnoredElements ignored;
  const auto households = readAllHouseholds(dir.path() / "x.xml", ignored);
  ASSERT_EQ(households.size(), 2u);
  const auto& rsa = households[0].persons[0].sections["droits"]["rsa"];
  EXPECT_EQ(rsa["etat_dossier"], "X");
  EXPECT_FALSE(schemas::SectionValidator()
                   .validate(core::Section::droits, households[0].persons[0].sections["droits"])
                   .empty())
      << "the section's validation refuses it, naming the field";
}

TEST(CafFluxTest, AHouseholdThatBreaksTheSchemaIsRejectedWithItsLineAndTheOthersRemain) {
  const auto check = checkCafFlux(kData / "flux-foyer-invalide.xml");
  ASSERT_FALSE(check.fatal) << *check.fatal;
  ASSERT_EQ(check.rejected.size(), 1u);
  const auto& [number, reason] = *check.rejected.begin();
  EXPECT_EQ(number, 2u);
  EXPECT_NE(reason.find("line 9: Element 'DTDEMRSA'"), std::string::npos) << reason;
  IgnoredElements ignored;
  std::vector<std::size_t> read;
  readCafFlux(kData / "flux-foyer-invalide.xml", check, ignored,
              [&](const CafHousehold& h) { read.push_back(h.number); });
  EXPECT_EQ(read, (std::vector<std::size_t>{1, 3}));
}

TEST(CafFluxTest, FilesThatCannotBeUsedAreRefusedWholeWithTheirLine) {
  passerelle::testing::TempDir dir;
  const auto monthly = readAll(kData / "flux-mensuel.xml");
  const auto write = [&](const std::string& name, const std::string& content) {
    std::ofstream(dir.path() / name, std::ios::binary) << content;
    return checkCafFlux(dir.path() / name);
  };
  const auto fatal = [](const CafFluxCheck& c) { return c.fatal.value_or("(accepted)"); };

  const auto truncated = write("truncated.xml", monthly.substr(0, monthly.size() * 2 / 3));
  EXPECT_NE(fatal(truncated).find("line "), std::string::npos) << fatal(truncated);

  // Declared UTF-8 but written in windows-1252: the accents are not UTF-8.
  auto mislabelled = monthly;
  mislabelled.replace(mislabelled.find("windows-1252"), 12, "UTF-8");
  const auto wrong_encoding = write("mislabelled.xml", mislabelled);
  EXPECT_NE(fatal(wrong_encoding).find("line 6: Input is not proper UTF-8"), std::string::npos)
      << fatal(wrong_encoding);

  // A wrong trailer count is said apart: the import refuses it unless asked (import_test).
  auto miscounted = monthly;
  miscounted.replace(miscounted.find("<NBTOTDOSRSATRANSM>3"), 20, "<NBTOTDOSRSATRANSM>4");
  const auto counted = write("miscounted.xml", miscounted);
  EXPECT_FALSE(counted.fatal);
  EXPECT_EQ(counted.countMismatch().value_or("(none)"),
            "the trailer announces 4 households (NBTOTDOSRSATRANSM) but the file holds 3");
  EXPECT_FALSE(write("counted.xml", monthly).countMismatch());

  auto unknown_type = monthly;
  unknown_type.replace(unknown_type.find("<TYPEFLUX>M"), 11, "<TYPEFLUX>X");
  EXPECT_NE(fatal(write("type.xml", unknown_type)).find("TYPEFLUX"), std::string::npos);

  auto doctype = monthly;
  doctype.insert(doctype.find("<Racine>"),
                 "<!DOCTYPE Racine [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n");
  EXPECT_NE(fatal(write("doctype.xml", doctype)).find("DOCTYPE"), std::string::npos);

  auto bad_header = monthly;
  bad_header.replace(bad_header.find("<DTREF>2026-09-30"), 17, "<DTREF>hier");
  EXPECT_NE(fatal(write("header.xml", bad_header)).find("the whole flux is refused"),
            std::string::npos);

  EXPECT_NE(fatal(write("empty.xml", "")).find("line"), std::string::npos);
  EXPECT_NE(fatal(write("json.xml", R"({"not": "xml"})")).find("line 1"), std::string::npos);
}

}  // namespace
}  // namespace passerelle::connectors
