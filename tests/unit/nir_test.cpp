#include "passerelle/schemas/nir.hpp"

#include <gtest/gtest.h>

namespace passerelle::schemas {
namespace {

// Published examples of NIRs with their keys.
TEST(NirTest, KeysOfPublishedExamples) {
  EXPECT_EQ(nirKey("2550814168025"), 38);
  EXPECT_EQ(nirKey("1850578006084"), 91);
}

TEST(NirTest, AcceptsThirteenCharactersOrFifteenWithTheRightKey) {
  EXPECT_TRUE(checkNir("2550814168025").valid);
  EXPECT_TRUE(checkNir("255081416802538").valid);
  EXPECT_TRUE(checkNir("2 55 08 14 168 025 38").valid);
  EXPECT_EQ(checkNir("2 55 08 14 168 025 38").normalised, "2550814168025");
}

TEST(NirTest, RefusesAWrongKeyWithoutQuotingTheNir) {
  const auto check = checkNir("255081416802539");
  EXPECT_FALSE(check.valid);
  EXPECT_NE(check.problem.find("key"), std::string::npos);
  EXPECT_EQ(check.problem.find("2550814168025"), std::string::npos);
}

TEST(NirTest, CorsicaDepartementsCountAs19And18) {
  // 2A is read as 19 and 2B as 18 for the key: 180011900412 3 and 295121805500 7.
  EXPECT_EQ(nirKey("180012A004123"), 97 - static_cast<int>(1800119004123ULL % 97));
  EXPECT_EQ(nirKey("295122B055007"), 97 - static_cast<int>(2951218055007ULL % 97));
  EXPECT_TRUE(checkNir("180012A00412343").valid);
  EXPECT_TRUE(checkNir("295122b05500784").valid);  // lower case accepted, normalised
  EXPECT_EQ(checkNir("295122b05500784").normalised, "295122B055007");
  EXPECT_FALSE(checkNir("180012A00412344").valid);
}

TEST(NirTest, RefusesWrongLengthsAndLetters) {
  EXPECT_FALSE(checkNir("").valid);
  EXPECT_FALSE(checkNir("25508141680").valid);
  EXPECT_FALSE(checkNir("25508141680253").valid);  // 14
  EXPECT_FALSE(checkNir("2550814X68025").valid);
  EXPECT_FALSE(checkNir("25508141680253A").valid);
}

}  // namespace
}  // namespace passerelle::schemas
