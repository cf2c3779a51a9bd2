#include <gtest/gtest.h>

#include "passerelle/core/identifier.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/numbers.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::core {
namespace {

TEST(DossierIdTest, RandomIdsHaveTheDocumentedShapeAndParseBack) {
  std::array<std::uint8_t, 16> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 37 + 1);
  const auto id = DossierId::fromRandom(bytes);
  EXPECT_EQ(id.str().size(), 27u);
  EXPECT_EQ(id.str()[0], 'd');
  ASSERT_TRUE(DossierId::parse(id.str()).has_value());
  EXPECT_EQ(*DossierId::parse(id.str()), id);
}

TEST(DossierIdTest, ParseRefusesAnythingElse) {
  EXPECT_FALSE(DossierId::parse(""));
  EXPECT_FALSE(DossierId::parse("d"));
  EXPECT_FALSE(DossierId::parse("x" + std::string(26, 'a')));
  EXPECT_FALSE(DossierId::parse("d" + std::string(25, 'a')));
  EXPECT_FALSE(DossierId::parse("d" + std::string(26, 'A')));        // upper case is not ours
  EXPECT_FALSE(DossierId::parse("d" + std::string(25, 'a') + "1"));  // 1 is not base32
  EXPECT_FALSE(DossierId::parse("d" + std::string(25, 'a') + "/"));
  EXPECT_TRUE(DossierId::parse("d" + std::string(26, 'a')));
}

TEST(PurposeTest, OnlyTheClosedListParses) {
  for (const char* name : {"instruction_rsa", "orientation", "accompagnement", "suivi_parcours",
                           "controle", "evaluation", "statistique"}) {
    auto p = parsePurpose(name);
    ASSERT_TRUE(p) << name;
    EXPECT_EQ(toString(*p), name);
  }
  EXPECT_EQ(allPurposes().size(), 7u);
  EXPECT_FALSE(parsePurpose("marketing"));
  EXPECT_FALSE(parsePurpose("Accompagnement"));
  EXPECT_FALSE(parsePurpose(""));
}

TEST(SectionTest, EverySectionRoundTripsThroughItsName) {
  EXPECT_EQ(allSections().size(), 12u);
  for (auto s : allSections()) EXPECT_EQ(parseSection(toString(s)), s);
  EXPECT_FALSE(parseSection("nir"));
}

TEST(IdentifierKindTest, KindsAreOrderedFromStrongestToWeakest) {
  const auto& kinds = allIdentifierKinds();
  ASSERT_EQ(kinds.size(), 4u);
  EXPECT_EQ(kinds.front(), IdentifierKind::nir);
  EXPECT_LT(IdentifierKind::nir, IdentifierKind::caf);
  EXPECT_LT(IdentifierKind::caf, IdentifierKind::france_travail);
  EXPECT_LT(IdentifierKind::france_travail, IdentifierKind::departement);
}

}  // namespace
}  // namespace passerelle::core

namespace passerelle::core {
namespace {
TEST(UtcTimeTest, OnlyRealCalendarDatesAreCalendarDates) {
  EXPECT_TRUE(isCalendarDate("2028-02-29"));
  EXPECT_FALSE(isCalendarDate("2026-02-29"));
  EXPECT_FALSE(isCalendarDate("2026-13-01"));
  EXPECT_FALSE(isCalendarDate("2026-01-01T00:00:00Z")) << "a date, not a date-time";
  EXPECT_FALSE(isCalendarDate("hier"));
}

TEST(UtcTimeTest, MonthsBeforeKeepsTheTimeAndClampsTheDay) {
  EXPECT_EQ(monthsBefore("2026-11-23T10:00:00.000Z", 24), "2024-11-23T10:00:00.000Z");
  EXPECT_EQ(monthsBefore("2026-03-31T23:59:59.999Z", 1), "2026-02-28T23:59:59.999Z");
  EXPECT_EQ(monthsBefore("2024-03-31T00:00:00.000Z", 1), "2024-02-29T00:00:00.000Z");
  EXPECT_EQ(monthsBefore("2026-01-15T00:00:00.000Z", 1), "2025-12-15T00:00:00.000Z");
  EXPECT_EQ(monthsBefore("2026-01-15T00:00:00.000Z", 13), "2024-12-15T00:00:00.000Z");
  EXPECT_EQ(monthsBefore("2026-12-01T00:00:00.000Z", 12), "2025-12-01T00:00:00.000Z");
}

TEST(NumbersTest, AWholeNumberIsDigitsOnlyWithinItsRange) {
  EXPECT_EQ(parseWholeNumber("0"), 0u);
  EXPECT_EQ(parseWholeNumber("18446744073709551615"), UINT64_MAX);
  EXPECT_EQ(parseWholeNumber("1000", 1000), 1000u);
  for (const char* text : {"", "-1", "+1", " 1", "1 ", "1e3", "0x10", "18446744073709551616"})
    EXPECT_FALSE(parseWholeNumber(text)) << text;
  EXPECT_FALSE(parseWholeNumber("1001", 1000));
}

}  // namespace
}  // namespace passerelle::core
