#include "passerelle/policies/field_decisions.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "passerelle/schemas/field_catalogue.hpp"

namespace passerelle::policies {
namespace {

TEST(FieldDecisions, FindsEachPathAndOnlyThose) {
  FieldDecisions fields;
  fields.append("/contact/email", {true, WithholdReason::not_in_policy, nullptr, "c1"});
  fields.append("/contact/telephone", {false, WithholdReason::consent_required, nullptr, {}});
  fields.append("/identite/nir", {false, WithholdReason::not_in_policy, nullptr, {}});

  ASSERT_NE(fields.find("/contact/email"), nullptr);
  EXPECT_TRUE(fields.find("/contact/email")->allowed);
  EXPECT_EQ(fields.find("/contact/email")->consent_id, "c1");
  EXPECT_EQ(fields.at("/contact/telephone").reason, WithholdReason::consent_required);
  EXPECT_EQ(fields.at("/identite/nir").reason, WithholdReason::not_in_policy);
  EXPECT_EQ(fields.find("/contact"), nullptr);
  EXPECT_EQ(fields.find("/contact/emai"), nullptr);
  EXPECT_EQ(fields.find("/zzz"), nullptr);
  EXPECT_EQ(fields.find(""), nullptr);
  EXPECT_THROW(fields.at("/identite/nom"), std::out_of_range);
  EXPECT_EQ(fields.size(), 3u);
}

TEST(FieldDecisions, AFoundDecisionCanBeChanged) {
  FieldDecisions fields;
  fields.append("/a/b", {});
  fields.find("/a/b")->allowed = true;
  EXPECT_TRUE(fields.at("/a/b").allowed);
}

TEST(FieldDecisions, RefusesPathsOutOfOrderOrTwice) {
  FieldDecisions fields;
  fields.append("/b", {});
  EXPECT_THROW(fields.append("/a", {}), std::out_of_range);
  EXPECT_THROW(fields.append("/b", {}), std::out_of_range);
  fields.append("/c", {});
  EXPECT_EQ(fields.size(), 2u);
}

TEST(FieldDecisions, TheCataloguePathOrderCoversEveryFieldSorted) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto& order = catalogue.pathOrder();
  ASSERT_EQ(order.size(), catalogue.fields().size());
  std::vector<std::string> paths;
  for (const auto i : order) paths.push_back(catalogue.fields().at(i).path.str());
  EXPECT_TRUE(std::is_sorted(paths.begin(), paths.end()));
  EXPECT_EQ(std::adjacent_find(paths.begin(), paths.end()), paths.end());
}

}  // namespace
}  // namespace passerelle::policies
