// Imports through the real dossier service on a real SQLite file: the CAF flux (monthly, daily,
// re-imported, with an invalid household, truncated), the France Travail extracts and NDJSON.
#include <gtest/gtest.h>

#include <fstream>

#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/connectors/importer.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "service_harness.hpp"

namespace passerelle::connectors {
namespace {

using core::IdentifierKind;
using core::Purpose;
using core::Section;
using nlohmann::json;
namespace fs = std::filesystem;

const fs::path kData = fs::path(PASSERELLE_TEST_DATA);

class ImportTest : public ::testing::Test {
 protected:
  ImportReport run(ImportFormat format, const fs::path& file, const std::string& partner,
                   Purpose purpose) {
    return runImport(format, file, h_.dossiers, h_.as(partner, purpose), "test",
                     [&](const dossiers::ImportOutcome& o) { outcomes_.push_back(o); });
  }
  ImportReport asCaf(const std::string& file) {
    return run(ImportFormat::caf_rsa_xml, kData / "caf" / file, "caf", Purpose::instruction_rsa);
  }
  ImportReport asFranceTravail(const std::string& file) {
    return run(ImportFormat::france_travail_csv, kData / "france-travail" / file, "france-travail",
               Purpose::accompagnement);
  }
  // Every version of every section of every dossier.
  std::size_t versions() const {
    std::size_t n = 0;
    for (const auto& id : h_.stores.dossiers->dossierIdsAfter(std::nullopt, 1000))
      n += h_.stores.dossiers->history(id).size();
    return n;
  }
  core::DossierId byNir(const std::string& nir) const {
    return *h_.stores.dossiers->findByIdentifier({IdentifierKind::nir, nir});
  }
  core::DossierId byFranceTravail(const std::string& id) const {
    return *h_.stores.dossiers->findByIdentifier({IdentifierKind::france_travail, id});
  }
  json section(const core::DossierId& id, Section s) const {
    return json::parse(h_.stores.dossiers->currentSection(id, s)->content);
  }
  std::string writeFile(const std::string& name, const std::string& content) {
    const auto path = h_.dir.path() / name;
    std::ofstream(path, std::ios::binary) << content;
    return path.string();
  }

  testing::ServiceHarness h_;
  std::vector<dossiers::ImportOutcome> outcomes_;
};

TEST_F(ImportTest, AMonthlyFluxCreatesOneDossierPerPersonAndAReimportChangesNothing) {
  const auto first = asCaf("flux-mensuel.xml");
  EXPECT_EQ(first.records, 3u);
  EXPECT_EQ(first.persons, 5u);
  EXPECT_EQ(first.created, 5u);
  EXPECT_EQ(first.rejected, 0u) << first.toJson().dump(2);
  EXPECT_EQ(first.details["type"], "M");
  EXPECT_GT(first.ignored.at("Grossesse"), 0u) << "pregnancy is health data: never stored";
  EXPECT_GT(first.ignored.at("Controle"), 0u);
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 5);
  EXPECT_EQ(outcomes_.size(), 5u) << "each touched dossier is reported for its audit entry";

  const auto noemie = byNir("2910442218003");
  EXPECT_EQ(section(noemie, Section::identite)["prenoms"], json::array({"Noémie"}));
  EXPECT_EQ(section(noemie, Section::identifiants)["france_travail"], "1234567A");
  EXPECT_EQ(section(noemie, Section::droits)["rsa"]["etat_dossier"], 2);
  const auto francoise = byNir("2750130189044");
  EXPECT_EQ(section(francoise, Section::droits)["rsa"]["motif_suspension"], "06");
  // The household's matricule is every member's, the child's included (she has no NIR).
  const auto household = h_.stores.dossiers->dossiersWithIdentifier(
      dossiers::parseQueryIdentifier(IdentifierKind::caf, "CAF:931:0123456"));
  EXPECT_EQ(household.size(), 3u);

  const auto before = versions();
  outcomes_.clear();
  const auto again = asCaf("flux-mensuel.xml");
  EXPECT_EQ(again.created, 0u);
  EXPECT_EQ(again.matched, 5u);
  EXPECT_EQ(again.unchanged, 5u) << again.toJson().dump(2);
  EXPECT_EQ(again.updated, 0u);
  EXPECT_EQ(versions(), before) << "re-importing the same file writes no new version";
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 5);
}

TEST_F(ImportTest, ADailyFluxUpdatesTheHouseholdAndCreatesTheNewcomer) {
  asCaf("flux-mensuel.xml");
  const auto child_before = h_.stores.dossiers->dossiersWithIdentifier(
      dossiers::parseQueryIdentifier(IdentifierKind::caf, "CAF:931:0123456"));
  const auto daily = asCaf("flux-quotidien.xml");
  EXPECT_EQ(daily.details["type"], "I");
  EXPECT_EQ(daily.records, 2u);
  EXPECT_EQ(daily.created, 1u);
  EXPECT_EQ(daily.matched, 3u) << "the child without NIR by matricule, name and birth date";
  EXPECT_EQ(daily.updated, 3u);
  EXPECT_EQ(daily.rejected, 0u) << daily.toJson().dump(2);
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 6);
  const auto household = h_.stores.dossiers->dossiersWithIdentifier(
      dossiers::parseQueryIdentifier(IdentifierKind::caf, "CAF:931:0123456"));
  EXPECT_EQ(household, child_before);
  for (const auto& id : household) {
    const auto address = section(id, Section::contact)["adresse"];
    EXPECT_EQ(address["lignes"], json::array({"Bâtiment B", "7 rue Édouard Vaillant"}));
  }
  EXPECT_EQ(section(byNir("2991294028066"), Section::droits)["rsa"]["etat_dossier"], 0);
}

TEST_F(ImportTest, AnInvalidHouseholdIsRejectedWithItsLineAndTheOthersImport) {
  const auto report = asCaf("flux-foyer-invalide.xml");
  ASSERT_EQ(report.rejected, 1u) << report.toJson().dump(2);
  const auto& rejection = report.rejections.front();
  EXPECT_EQ(rejection.position.record, 2u);
  EXPECT_NE(rejection.reason.find("line "), std::string::npos) << rejection.reason;
  EXPECT_GT(report.created, 0u);
  EXPECT_EQ(static_cast<std::size_t>(h_.stores.dossiers->dossierCount()), report.created);
}

// A trailer that does not count the households the file holds: refused by default with both
// counts; imported when the operator asks, and the report says so.
TEST_F(ImportTest, AMiscountedFluxIsRefusedUnlessAskedAndTheReportSaysSo) {
  std::ifstream in(kData / "caf" / "flux-mensuel.xml", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find("<NBTOTDOSRSATRANSM>3"), 20, "<NBTOTDOSRSATRANSM>5");
  const auto miscounted = writeFile("compte.xml", text);
  try {
    run(ImportFormat::caf_rsa_xml, miscounted, "caf", Purpose::instruction_rsa);
    ADD_FAILURE() << "a miscounted flux was imported";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("announces 5 households"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("holds 3"), std::string::npos) << e.what();
  }
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 0);
  const auto report = runImport(ImportFormat::caf_rsa_xml, miscounted, h_.dossiers,
                                h_.as("caf", Purpose::instruction_rsa), "test",
                                [](const dossiers::ImportOutcome&) {}, {false, true});
  EXPECT_EQ(report.created, report.persons);
  EXPECT_GT(report.created, 0u);
  ASSERT_EQ(report.warnings.size(), 1u);
  EXPECT_NE(report.warnings[0].find("accept_count_mismatch"), std::string::npos);
}

TEST_F(ImportTest, AnUnusableFluxIsRefusedWholeBeforeAnythingIsWritten) {
  std::ifstream in(kData / "caf" / "flux-mensuel.xml", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto truncated = writeFile("tronque.xml", text.substr(0, text.size() * 2 / 3));
  EXPECT_THROW(run(ImportFormat::caf_rsa_xml, truncated, "caf", Purpose::instruction_rsa),
               FileFormatError);
  EXPECT_EQ(h_.stores.dossiers->dossierCount(), 0);
}

TEST_F(ImportTest, FranceTravailUpdatesThePeopleItFollowsUnderThePolicy) {
  asCaf("flux-mensuel.xml");
  outcomes_.clear();
  const auto report = asFranceTravail("extrait-principal.csv");
  EXPECT_EQ(report.records, 4u);
  EXPECT_EQ(report.matched, 2u) << report.toJson().dump(2);
  EXPECT_EQ(report.updated, 2u);
  EXPECT_EQ(report.created, 0u);
  ASSERT_EQ(report.rejected, 2u) << report.toJson().dump(2);
  EXPECT_EQ(report.rejections[0].position.record, 3u);
  EXPECT_NE(report.rejections[0].reason.find("date_naissance"), std::string::npos)
      << "a bad row names its column";
  EXPECT_EQ(report.rejections[1].position.record, 4u);
  EXPECT_FALSE(report.rejections[1].fields.empty())
      << "France Travail may not write an identity: no dossier is created for an unknown person";
  EXPECT_GT(report.ignored.at("column referent_nom"), 0u);
  EXPECT_TRUE(report.warnings.empty()) << report.warnings.front();

  const auto noemie = byNir("2910442218003");
  const auto situation = section(noemie, Section::situation_pro);
  EXPECT_EQ(situation["inscription_france_travail"]["date_inscription"], "2024-03-18");
  EXPECT_EQ(situation["inscription_france_travail"]["categorie"], "A");
  EXPECT_EQ(situation["codes_rome"], json::array({"K1302", "G1603"}));
  const auto diagnostic = section(noemie, Section::diagnostic);
  EXPECT_EQ(diagnostic["date"], "2026-09-14");
  EXPECT_EQ(diagnostic["freins"]["financier"], "signale");
  EXPECT_EQ(diagnostic["freins"]["administratif"], "aucun");
  EXPECT_FALSE(diagnostic["freins"].contains("sante"))
      << "the health flag needs the person's consent, which is not on record";
  ASSERT_EQ(outcomes_.size(), 2u);
  EXPECT_EQ(outcomes_[0].left_out,
            std::vector<core::FieldPath>{core::FieldPath("/diagnostic/freins/sante")});
  EXPECT_EQ(section(noemie, Section::identite)["prenoms"], json::array({"Noémie"}))
      << "France Travail's upper-case spelling does not overwrite the CAF's identity";
  EXPECT_EQ(byFranceTravail("7654321B"), byNir("1830699352077")) << "stray spaces, lower case";

  const auto before = versions();
  EXPECT_EQ(asFranceTravail("extrait-principal.csv").unchanged, 2u);
  EXPECT_EQ(versions(), before);
}

// Extracts give the DEFM's administrative category (1 to 8): stored, with the statistical
// category where it follows (4 D, 5 E, 6 to 8 C; 1 to 3 are A or B by hours worked, which an
// extract does not give); an unknown code is a warning and the rest of the person imported.
TEST_F(ImportTest, FranceTravailCategoriesAreTakenAsTheProducerSendsThem) {
  asCaf("flux-mensuel.xml");
  std::ifstream in(kData / "france-travail" / "extrait-principal.csv", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  text.replace(text.find(";1 - A;"), 7, ";4;");
  text.replace(text.find(";B;"), 3, ";9;");
  const auto file = writeFile("categories.csv", text);
  const auto report =
      run(ImportFormat::france_travail_csv, file, "france-travail", Purpose::accompagnement);
  EXPECT_EQ(report.updated, 2u) << report.toJson().dump(2);
  const auto noemie = section(byNir("2910442218003"), Section::situation_pro);
  EXPECT_EQ(noemie["inscription_france_travail"]["categorie_administrative"], "4");
  EXPECT_EQ(noemie["inscription_france_travail"]["categorie"], "D");
  const auto thanh = section(byNir("1830699352077"), Section::situation_pro);
  EXPECT_FALSE(thanh["inscription_france_travail"].contains("categorie"));
  EXPECT_EQ(thanh["inscription_france_travail"]["date_inscription"].is_string(), true)
      << "the rest of the row is imported";
  ASSERT_EQ(report.warnings.size(), 1u) << report.toJson().dump(2);
  EXPECT_NE(report.warnings[0].find("categorie_inscription"), std::string::npos);

  text.replace(text.find(";4;"), 3, ";2;");
  const auto second = writeFile("categories-2.csv", text);
  run(ImportFormat::france_travail_csv, second, "france-travail", Purpose::accompagnement);
  const auto again = section(byNir("2910442218003"), Section::situation_pro);
  EXPECT_EQ(again["inscription_france_travail"]["categorie_administrative"], "2");
  EXPECT_FALSE(again["inscription_france_travail"].contains("categorie"))
      << "2 is A or B: the D that 4 gave does not linger";
}

TEST_F(ImportTest, FranceTravailActionsArePutIntoThePathwayOneByOne) {
  asCaf("flux-mensuel.xml");
  // The actions file names people by France Travail id alone: France Travail attached itself to
  // them with the main extract, which gives their identity.
  asFranceTravail("extrait-principal.csv");
  const auto report = asFranceTravail("extrait-actions.csv");
  EXPECT_EQ(report.records, 4u);
  EXPECT_EQ(report.rejected, 1u) << report.toJson().dump(2);
  EXPECT_NE(report.rejections.front().reason.find("date_prescription"), std::string::npos);
  const auto actions = section(byNir("2910442218003"), Section::parcours)["actions"];
  ASSERT_EQ(actions.size(), 2u) << "two rows, two actions: the second did not replace the first";
  EXPECT_EQ(actions[0]["code"], "P01");
  EXPECT_EQ(actions[0]["resultat"], "realisee");
  EXPECT_EQ(actions[1]["categorie"], "formation");
  EXPECT_EQ(actions[1]["date_debut"], "2026-11-16") << "the planned start when none yet";
  const auto thanh = section(byNir("1830699352077"), Section::parcours)["actions"];
  EXPECT_EQ(thanh[0]["libelle"], "Prestation \"Activ'Projet\"; bilan");
  const auto before = versions();
  EXPECT_EQ(asFranceTravail("extrait-actions.csv").unchanged, 3u);
  EXPECT_EQ(versions(), before);
}

TEST_F(ImportTest, ColumnsAreFoundByNameWhateverTheirOrder) {
  asCaf("flux-mensuel.xml");
  // The main extract with its columns in reverse order (no field of it holds a ';').
  std::ifstream in(kData / "france-travail" / "extrait-principal.csv", std::ios::binary);
  std::string line, reversed;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    std::vector<std::string> fields;
    std::size_t start = 0;
    for (auto end = line.find(';');; end = line.find(';', start)) {
      fields.push_back(line.substr(start, end == std::string::npos ? end : end - start));
      if (end == std::string::npos) break;
      start = end + 1;
    }
    for (auto it = fields.rbegin(); it != fields.rend(); ++it)
      reversed += *it + (std::next(it) == fields.rend() ? "\n" : ";");
  }
  const auto file = writeFile("inverse.csv", reversed);
  const auto report =
      run(ImportFormat::france_travail_csv, file, "france-travail", Purpose::accompagnement);
  EXPECT_EQ(report.updated, 2u) << report.toJson().dump(2);
  EXPECT_EQ(report.rejected, 2u);
  EXPECT_EQ(section(byNir("2910442218003"), Section::situation_pro)["codes_rome"],
            json::array({"K1302", "G1603"}));
}

TEST_F(ImportTest, AMissingColumnIsNamedAndNothingIsRead) {
  try {
    asFranceTravail("extrait-colonne-manquante.csv");
    FAIL() << "no error";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("date_naissance"), std::string::npos) << e.what();
  }
}

TEST_F(ImportTest, NdjsonReportsEachBadLineAndImportsTheOthers) {
  asCaf("flux-mensuel.xml");
  const auto file = writeFile(
      "lot.ndjson",
      R"({"identite":{"nir":"2910442218003"},"situation_pro":{"niveau_diplome":"4"}})"
      "\n"
      "\n"
      R"({"identite":{"nir":"1881125056012"},"situation_pro":{"niveau_diplome":"9"}})"
      "\n"
      "{not json\n"
      R"({"identifiants":{"departement":"D-93-77"},"situation_pro":{"niveau_diplome":"3"}})"
      "\n"
      R"(["an array"])"
      "\n");
  const auto report = run(ImportFormat::ndjson, file, "departement", Purpose::accompagnement);
  EXPECT_EQ(report.records, 5u);
  EXPECT_EQ(report.updated, 1u) << report.toJson().dump(2);
  ASSERT_EQ(report.rejected, 4u);
  EXPECT_EQ(report.rejections[0].position.line, 3u);
  EXPECT_EQ(report.rejections[0].fields.front().pointer, "/situation_pro/niveau_diplome");
  EXPECT_EQ(report.rejections[1].position.line, 4u);
  EXPECT_EQ(report.rejections[2].position.line, 5u) << "no dossier, and no identity to create one";
  EXPECT_EQ(report.rejections[3].position.line, 6u);
  EXPECT_EQ(section(byNir("2910442218003"), Section::situation_pro)["niveau_diplome"], "4");
  EXPECT_EQ(section(byNir("2910442218003"), Section::identite)["prenoms"], json::array({"Noémie"}))
      << "fields absent from the line are kept";
}

TEST_F(ImportTest, WhatTheSourceStatesWholeReplacesTheCurrentValue) {
  asCaf("flux-mensuel.xml");
  const auto francoise = byNir("2750130189044");
  dossiers::ImportPerson person;
  person.sections = {{"identite", {{"nir", "2750130189044"}}},
                     {"droits", {{"rsa", {{"etat_dossier", 2}}}}}};
  const auto caf = h_.as("caf", Purpose::instruction_rsa);
  auto merged = person;
  h_.dossiers.importPerson(caf, merged, "test");
  EXPECT_EQ(section(francoise, Section::droits)["rsa"]["motif_suspension"], "06")
      << "merged: the suspension is kept";
  person.replace = {core::FieldPath("/droits/rsa")};
  const auto outcome = h_.dossiers.importPerson(caf, person, "test");
  EXPECT_EQ(outcome.status, dossiers::ImportStatus::updated);
  EXPECT_EQ(section(francoise, Section::droits)["rsa"], json({{"etat_dossier", 2}}))
      << "stated whole: the ended suspension does not linger";
}

}  // namespace
}  // namespace passerelle::connectors
