#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "passerelle/policies/engine.hpp"
#include "passerelle/schemas/field_catalogue.hpp"

namespace passerelle::policies {
namespace {

using nlohmann::json;

// A decision over the built-in catalogue that allows exactly `allowed`.
Decision allowing(const std::set<std::string>& allowed) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  Decision d{"test",
             {core::PartnerId("p"), core::PartnerKind::departement, core::Purpose::accompagnement,
              Access::read, true},
             true,
             {}};
  for (const auto i : catalogue.pathOrder()) {
    const auto& path = catalogue.fields().at(i).path.str();
    d.fields.append(path, {allowed.count(path) == 1, WithholdReason::not_in_policy, nullptr, {}});
  }
  return d;
}

TEST(FilterDossier, KeepsAllowedItemsOfAnArrayDropsEmptyOnesAndListsEachPathOnce) {
  const auto decision =
      allowing({"/parcours/actions/*/code", "/parcours/actions/*/libelle", "/contact/email"});
  const json sections = {
      {"parcours",
       {{"actions",
         {{{"code", "A1"}, {"libelle", "Atelier CV"}, {"resultat", "abandon"}},
          {{"resultat", "termine"}},
          {{"code", "A2"}, {"inconnu", 1}}}},
        {"evenements", json::array()}}},
      {"contact", {{"email", nullptr}, {"telephone", "0600000000"}}},
      {"pas_une_section", {{"x", 1}}},
  };
  const auto filtered = filterDossier(decision, schemas::FieldCatalogue::builtin(), sections);

  EXPECT_EQ(
      filtered.sections,
      json({{"parcours",
             {{"actions", {{{"code", "A1"}, {"libelle", "Atelier CV"}}, {{"code", "A2"}}}}}}}));
  EXPECT_EQ(filtered.disclosed,
            (std::vector<std::string>{"/parcours/actions/*/code", "/parcours/actions/*/libelle"}));
  std::vector<std::string> withheld;
  for (const auto& w : filtered.withheld) {
    EXPECT_EQ(w.reason, WithholdReason::not_in_policy) << w.path;
    withheld.push_back(w.path);
  }
  // An allowed field whose value is null is neither disclosed nor withheld: it says nothing.
  EXPECT_EQ(withheld, (std::vector<std::string>{"/contact/telephone", "/parcours/actions/*/inconnu",
                                                "/parcours/actions/*/resultat"}));
}

TEST(FilterDossier, ASectionWithNothingAllowedIsLeftOutWhole) {
  const auto decision = allowing({});
  const auto filtered = filterDossier(decision, schemas::FieldCatalogue::builtin(),
                                      json{{"contact", {{"email", "a@example.org"}}}});
  EXPECT_EQ(filtered.sections, json::object());
  EXPECT_TRUE(filtered.disclosed.empty());
  ASSERT_EQ(filtered.withheld.size(), 1u);
  EXPECT_EQ(filtered.withheld[0].path, "/contact/email");
}

}  // namespace
}  // namespace passerelle::policies
