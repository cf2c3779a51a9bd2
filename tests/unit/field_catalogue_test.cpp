#include "passerelle/schemas/field_catalogue.hpp"

#include <gtest/gtest.h>

#include <set>

#include "passerelle/schemas/schema_set.hpp"

namespace passerelle::schemas {
namespace {

TEST(FieldCatalogueTest, SchemasAndCatalogueListTheSameFields) {
  const auto leaves = schemaLeafPaths();
  std::set<std::string> schema_paths(leaves.begin(), leaves.end());
  ASSERT_EQ(schema_paths.size(), leaves.size()) << "a schema leaf is listed twice";
  std::set<std::string> catalogue_paths;
  for (const auto& f : FieldCatalogue::builtin().fields()) catalogue_paths.insert(f.path.str());
  for (const auto& p : schema_paths)
    EXPECT_TRUE(catalogue_paths.count(p)) << "not catalogued: " << p;
  for (const auto& p : catalogue_paths)
    EXPECT_TRUE(schema_paths.count(p)) << "not in a schema: " << p;
}

TEST(FieldCatalogueTest, EveryEntryHasAFrenchLabelAndDescription) {
  for (const auto& f : FieldCatalogue::builtin().fields()) {
    EXPECT_FALSE(f.label.empty()) << f.path.str();
    EXPECT_FALSE(f.description.empty()) << f.path.str();
  }
}

TEST(FieldCatalogueTest, DirectIdentifiersAndHealthDataNeverLeaveAsIs) {
  const auto& catalogue = FieldCatalogue::builtin();
  for (const auto& f : catalogue.fields()) {
    if (f.category == FieldCategory::identifiant_direct) {
      EXPECT_TRUE(f.export_treatment == "drop" || f.export_treatment == "pseudonymise")
          << f.path.str();
    }
    if (f.path.str().starts_with("/sante/")) {
      EXPECT_EQ(f.category, FieldCategory::sensible) << f.path.str();
    }
  }
  ASSERT_NE(catalogue.find("/identite/nir"), nullptr);
  EXPECT_EQ(catalogue.find("/identite/nir")->category, FieldCategory::identifiant_direct);
  EXPECT_EQ(catalogue.find("/identite/nir")->export_treatment, "drop");
  EXPECT_EQ(catalogue.find("/diagnostic/freins/sante")->category, FieldCategory::sensible);
}

TEST(FieldCatalogueTest, InconsistentCataloguesAreRefusedNamingTheEntry) {
  const std::string base = R"({"version":"t","fields":[)";
  const std::string ok =
      R"({"path":"/contact/a","category":"ordinaire","export":"keep","label":"A","description":"a"})";
  EXPECT_NO_THROW(FieldCatalogue::parse(base + ok + "]}"));
  try {
    FieldCatalogue::parse(
        base +
        R"({"path":"/contact/b","category":"secret","export":"keep","label":"B","description":"b"}]})");
    FAIL();
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/contact/b"), std::string::npos);
  }
  EXPECT_THROW(FieldCatalogue::parse(base + ok + "," + ok + "]}"), std::runtime_error);
  EXPECT_THROW(
      FieldCatalogue::parse(
          base +
          R"({"path":"/nulle-part","category":"ordinaire","export":"keep","label":"N","description":"n"}]})"),
      std::runtime_error);
  EXPECT_THROW(
      FieldCatalogue::parse(
          base +
          R"({"path":"/contact/c","category":"ordinaire","export":"blur","label":"C","description":"c"}]})"),
      std::runtime_error);
}

TEST(FieldCatalogueTest, FindsEveryFieldAndKnowsWhichPathsHoldFields) {
  const auto& catalogue = FieldCatalogue::builtin();
  for (const auto& f : catalogue.fields()) {
    ASSERT_EQ(catalogue.find(f.path.str()), &f) << f.path.str();
    EXPECT_FALSE(catalogue.hasFieldsUnder(f.path.str())) << "a field is a leaf: " << f.path.str();
  }
  EXPECT_EQ(catalogue.find("/diagnostic/freins"), nullptr);
  EXPECT_EQ(catalogue.find("/diagnostic/freins/"), nullptr);
  EXPECT_TRUE(catalogue.hasFieldsUnder("/diagnostic"));
  EXPECT_TRUE(catalogue.hasFieldsUnder("/diagnostic/freins"));
  EXPECT_FALSE(catalogue.hasFieldsUnder("/diagnostic/frein"));  // a prefix, not a container
  EXPECT_FALSE(catalogue.hasFieldsUnder("/diag"));
  EXPECT_FALSE(catalogue.hasFieldsUnder(""));
}

}  // namespace
}  // namespace passerelle::schemas
