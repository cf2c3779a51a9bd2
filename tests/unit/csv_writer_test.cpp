#include "passerelle/connectors/csv_writer.hpp"

#include <gtest/gtest.h>

#include "passerelle/connectors/data_dictionary.hpp"

namespace passerelle::connectors {
namespace {

TEST(CsvWriterTest, QuotesWhatRfc4180SaysAndWritesJsonValuesAsText) {
  std::string out;
  CsvWriter csv([&](std::string_view text) { out.append(text); }, {"a", "b,c", "d", "e", "f"});
  nlohmann::ordered_json row = {{"a", "dit \"bonjour\""},
                                {"b,c", "ligne\nsuivante"},
                                {"d", nullptr},
                                {"e", nlohmann::json::array({1, "x"})},
                                {"f", true}};
  csv.writeRow(row);
  csv.writeRow({{"f", 3}});
  EXPECT_EQ(out,
            "a,\"b,c\",d,e,f\r\n"
            "\"dit \"\"bonjour\"\"\",\"ligne\nsuivante\",,\"[1,\"\"x\"\"]\",true\r\n"
            ",,,,3\r\n");
}

// CSV injection: text a spreadsheet would evaluate is written as text; numbers stay numbers.
TEST(CsvWriterTest, TextThatASpreadsheetWouldRunGetsALeadingApostrophe) {
  std::string out;
  CsvWriter csv([&](std::string_view text) { out.append(text); }, {"a", "b", "c", "d", "e"});
  csv.writeRow({{"a", "=HYPERLINK(\"http://x\",\"y\")"},
                {"b", "-2-3"},
                {"c", "+33 6 00 00 00 00"},
                {"d", -3},
                {"e", "Dupré"}});
  csv.writeRow({{"a", "@SUM(A1)"}, {"b", "\tx"}, {"c", "\rx"}, {"e", "a=b"}});
  EXPECT_EQ(out,
            "a,b,c,d,e\r\n"
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\",'-2-3,'+33 6 00 00 00 00,-3,Dupré\r\n"
            "'@SUM(A1),'\tx,\"'\rx\",,a=b\r\n");
  EXPECT_EQ(CsvWriter::textField("=1+1"), "'=1+1");
  EXPECT_EQ(CsvWriter::textField(""), "");
}

TEST(DataDictionaryTest, NamesEveryColumnWithItsLabelAndTheTreatmentApplied) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto profiles = policies::ExportProfiles::builtin(catalogue);
  const auto& profile = *profiles.find("annexe-e");
  // The planner chose 10-year bands for the first quasi-identifier, the first rung elsewhere.
  std::vector<std::size_t> levels(profile.quasiIdentifiers().size(), 0);
  levels[0] = 1;
  const auto dictionary = dataDictionary(profile, catalogue, levels);
  ASSERT_EQ(dictionary["colonnes"].size(), profile.columns.size() + 1);
  EXPECT_EQ(dictionary["colonnes"][0]["nom"], "pseudonyme");
  EXPECT_EQ(dictionary["colonnes"][1]["nom"], "tranche_age");
  EXPECT_EQ(dictionary["colonnes"][1]["traitement"], "tranche_age_10");
  EXPECT_EQ(dictionary["colonnes"][1]["libelle"],
            catalogue.find("/identite/date_naissance")->label);
  const auto markdown = dataDictionaryMarkdown(dictionary);
  EXPECT_NE(markdown.find("apostrophe"), std::string::npos) << "the CSV format is explained";
  EXPECT_NE(dictionary["format_csv"].get<std::string>().find("formule"), std::string::npos);
  for (const auto& column : profile.columns)
    EXPECT_NE(markdown.find("| " + column.name + " |"), std::string::npos) << column.name;
}

}  // namespace
}  // namespace passerelle::connectors
