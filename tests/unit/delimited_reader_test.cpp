// The delimited-file reader France Travail extracts go through: NULL, stray whitespace, quotes,
// line breaks in quotes, CRLF, a BOM, reordered or missing columns, and UTF-8 checks.
#include "passerelle/connectors/delimited_reader.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace passerelle::connectors {
namespace {

std::vector<DelimitedRow> readAll(const std::string& text) {
  std::istringstream in(text);
  DelimitedReader reader(in, ';');
  std::vector<DelimitedRow> rows;
  while (auto row = reader.next()) rows.push_back(*row);
  return rows;
}

TEST(DelimitedReaderTest, NullsWhitespaceQuotesAndLineEnds) {
  const auto rows = readAll(
      "\xEF\xBB\xBFid;nom;note\r\n"
      " 12 ;NULL;\r\n"
      "\r\n"
      "13;\"Dupont; Martin\";\"dit \"\"le grand\"\"\"\n"
      "14;\"NULL\";\"deux\nlignes\"\n"
      "15;Léa");
  ASSERT_EQ(rows.size(), 5u);
  EXPECT_EQ(rows[0].fields[0], "id") << "the byte order mark is not part of the first name";
  EXPECT_EQ(rows[1].line, 2u);
  EXPECT_EQ(rows[1].fields[0], "12");
  EXPECT_FALSE(rows[1].fields[1]) << "NULL is absent";
  EXPECT_FALSE(rows[1].fields[2]) << "empty is absent";
  EXPECT_EQ(rows[2].line, 4u) << "blank lines are skipped, not renumbered";
  EXPECT_EQ(rows[2].fields[1], "Dupont; Martin");
  EXPECT_EQ(rows[2].fields[2], "dit \"le grand\"");
  EXPECT_EQ(rows[3].fields[1], "NULL") << "a quoted NULL is the text";
  EXPECT_EQ(rows[3].fields[2], "deux\nlignes");
  EXPECT_EQ(rows[4].line, 7u) << "the record after a two-line field starts on line 7";
  ASSERT_EQ(rows[4].fields.size(), 2u) << "a short row keeps what it has";
  EXPECT_EQ(rows[4].fields[1], "Léa");
}

TEST(DelimitedReaderTest, AQuoteLeftOpenIsAnErrorWithItsLine) {
  try {
    readAll("a;b\n1;\"open\n2;3\n");
    FAIL() << "accepted";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("line 2: a quoted field is still open"), std::string::npos)
        << e.what();
  }
}

TEST(DelimitedReaderTest, ColumnsAreFoundByNameAndMissingOnesNamed) {
  const auto rows = readAll("nom;extra;identifiant_unique_de\nMartin;x;123\n");
  const ColumnMap columns(rows[0], {"identifiant_unique_de", "nom"});
  EXPECT_EQ(columns.get(rows[1], "identifiant_unique_de"), "123");
  EXPECT_EQ(columns.get(rows[1], "nom"), "Martin");
  EXPECT_EQ(columns.extra(), std::vector<std::string>{"extra"});
  try {
    ColumnMap(rows[0], {"nom", "prenom", "date_naissance"});
    FAIL() << "accepted";
  } catch (const FileFormatError& e) {
    EXPECT_NE(std::string(e.what()).find("line 1: the header lacks the column(s) prenom, "
                                         "date_naissance"),
              std::string::npos)
        << e.what();
  }
}

TEST(DelimitedReaderTest, Utf8IsCheckedStrictly) {
  EXPECT_TRUE(isUtf8("Léa Œillet 😀"));
  EXPECT_FALSE(
      isUtf8("L\xE9"
             "a"))
      << "windows-1252 é";
  EXPECT_FALSE(isUtf8("\xC0\xAF")) << "overlong";
  EXPECT_FALSE(isUtf8("\xED\xA0\x80")) << "surrogate";
  EXPECT_FALSE(isUtf8("\xE2\x82")) << "cut";
}

}  // namespace
}  // namespace passerelle::connectors
