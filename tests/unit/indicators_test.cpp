#include "passerelle/policies/indicators.hpp"

#include <gtest/gtest.h>

#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {
namespace {

using nlohmann::json;
using Sections = std::map<core::Section, json>;

IndicatorDefinitions withThreshold(std::size_t threshold) {
  auto d = IndicatorDefinitions::builtin();
  d.threshold = threshold;
  return d;
}

struct Person {
  std::string sex, entry, exit;
  json actions = json::array();  // [{date_prescription, structure}]
  json orientation = nullptr;    // {structure_referente, date_decision, referent?}
  std::string rsa_opened;
  json contrat = nullptr;
  json sortie = nullptr;
  std::string exit_reason;
};

Sections sectionsOf(const Person& p) {
  Sections s;
  s[core::Section::identite] = {{"sexe", p.sex}, {"date_naissance", "1990-05-01"}};
  json parcours = {{"date_entree", p.entry}, {"actions", p.actions}};
  if (!p.exit.empty()) parcours["date_sortie"] = p.exit;
  if (!p.exit_reason.empty()) parcours["motif_sortie"] = p.exit_reason;
  s[core::Section::parcours] = parcours;
  if (!p.orientation.is_null()) s[core::Section::orientation] = p.orientation;
  if (!p.rsa_opened.empty())
    s[core::Section::droits] = {{"rsa", {{"date_ouverture_droits", p.rsa_opened}}}};
  if (!p.contrat.is_null()) s[core::Section::contrat] = p.contrat;
  if (!p.sortie.is_null()) s[core::Section::sortie] = p.sortie;
  return s;
}

// Five people whose answers are worked out by hand in the comments below.
std::vector<Person> handBuilt() {
  return {
      // A: action 3 weeks after entry; exit to a CDI; oriented 21 days after RSA opened;
      // référent and contract.
      {"F",
       "2026-01-10",
       "2026-03-01",
       {{{"date_prescription", "2026-02-01"}, {"structure", "asso-x"}}},
       {{"structure_referente", "ccas"},
        {"date_decision", "2026-01-10"},
        {"referent", {{"nom", "R"}}}},
       "2025-12-20",
       {{"type", "CER"}, {"date_signature", "2026-01-15"}},
       {{"emploi_trouve", true}, {"type_contrat", "CDI"}},
       ""},
      // B: first action after the 3 months; exit to a 3-month CDD (transition); oriented after
      // 59 days; référent, no contract.
      {"F",
       "2026-01-20",
       "2026-02-01",
       {{{"date_prescription", "2026-05-01"}, {"structure", "asso-y"}}},
       {{"structure_referente", "ccas"},
        {"date_decision", "2026-03-01"},
        {"referent", {{"nom", "R"}}}},
       "2026-01-01",
       nullptr,
       {{"emploi_trouve", true}, {"type_contrat", "CDD"}, {"duree_contrat_mois", 3}},
       ""},
      // C: no action; exit to training; oriented after 10 days; a contract, no référent.
      {"M",
       "2026-02-15",
       "2026-03-15",
       json::array(),
       {{"structure_referente", "ml"}, {"date_decision", "2026-02-11"}},
       "2026-02-01",
       {{"type", "CEJ"}},
       {{"formation_trouvee", true}},
       ""},
      // D: action the next day; dropped out; never oriented.
      {"M",
       "2026-03-05",
       "2026-03-20",
       {{{"date_prescription", "2026-03-06"}, {"structure", "plie-93"}}},
       nullptr,
       "",
       nullptr,
       nullptr,
       "abandon"},
      // E: entered before the period; exit to 6 months of interim (sustainable); référent and a
      // contract signed during the period.
      {"M",
       "2025-12-01",
       "2026-01-05",
       {{{"date_prescription", "2026-01-15"}, {"structure", "asso-x"}}},
       {{"structure_referente", "ml"},
        {"date_decision", "2025-12-10"},
        {"referent", {{"nom", "R"}}}},
       "2025-11-01",
       {{"type", "CER"}, {"date_signature", "2026-03-01"}},
       {{"emploi_trouve", true}, {"type_contrat", "interim"}, {"duree_contrat_mois", 6}},
       ""},
  };
}

const json& indicator(const json& result, const std::string& id) {
  for (const auto& i : result["indicators"])
    if (i["id"] == id) return i;
  throw std::logic_error("no indicator " + id);
}

TEST(IndicatorsTest, AHandBuiltDataSetGivesTheAnswersWorkedOutByHand) {
  const auto definitions = withThreshold(2);
  IndicatorCalculator calc(definitions, "2026-01-01", "2026-03-31", "2026-09-30");
  // Everyone twice, so that no count is 1 and nothing is hidden at threshold 2.
  for (int copy = 0; copy < 2; ++copy)
    for (const auto& p : handBuilt()) calc.add(sectionsOf(p));
  const json result = calc.result();
  EXPECT_EQ(result["definitions_version"], definitions.version);

  const auto& without = indicator(result, "sans_action_3_mois");
  EXPECT_EQ(without["total"], json::parse(R"({"people":8,"with":4,"rate":0.5})"));  // B and C
  EXPECT_EQ(without["by"]["mois"]["2026-01"], json::parse(R"({"people":4,"with":2,"rate":0.5})"));
  EXPECT_EQ(without["by"]["mois"]["2026-03"], json::parse(R"({"people":2,"with":0,"rate":0.0})"));
  EXPECT_EQ(without["pending"], 0);

  const auto& exits = indicator(result, "sorties_positives");
  EXPECT_EQ(exits["total"], json::parse(R"({"people":10,"with":8,"rate":0.8})"));  // all but D
  EXPECT_EQ(exits["by"]["sexe"]["F"], json::parse(R"({"people":4,"with":4,"rate":1.0})"));

  const auto& partners = indicator(result, "partenaires_mobilises");
  EXPECT_EQ(partners["total"]["value"], 2);  // asso-x (A, E) and plie-93 (D); asso-y is in May
  EXPECT_EQ(partners["by"]["mois"]["2026-01"]["value"], 1);

  const auto& delay = indicator(result, "delai_orientation");
  // A 21 days, B 59, C 10 (E was oriented before the period).
  EXPECT_EQ(delay["total"]["people"], 6);
  EXPECT_EQ(delay["total"]["median_days"], 21.0);
  EXPECT_EQ(delay["total"]["within_target"], 4);
  EXPECT_EQ(delay["by"]["structure"]["ml"]["median_days"], 10.0);

  const auto& referent = indicator(result, "referent_et_contrat");
  EXPECT_EQ(referent["total"], json::parse(R"({"people":10,"with":4,"rate":0.4})"));  // A and E
}

TEST(IndicatorsTest, EntrantsWhoseDelayHasNotElapsedArePendingNotCounted) {
  IndicatorCalculator calc(withThreshold(2), "2026-01-01", "2026-03-31", "2026-05-01");
  for (int copy = 0; copy < 2; ++copy)
    for (const auto& p : handBuilt()) calc.add(sectionsOf(p));
  const json result = calc.result();
  const auto& without = indicator(result, "sans_action_3_mois");
  EXPECT_EQ(without["pending"], 4);  // C (deadline 05-15) and D (06-05)
  EXPECT_EQ(without["total"]["people"], 4);
}

TEST(IndicatorsTest, ExitCategoriesFollowTheDefinitions) {
  const auto& d = IndicatorDefinitions::builtin();
  EXPECT_EQ(exitCategory(d, {{"emploi_trouve", true}, {"type_contrat", "fonction_publique"}}, {}),
            "emploi_durable");
  EXPECT_EQ(
      exitCategory(d, {{"emploi_trouve", true}, {"type_contrat", "CDD"}, {"duree_contrat_mois", 6}},
                   {}),
      "emploi_durable");
  EXPECT_EQ(
      exitCategory(d, {{"emploi_trouve", true}, {"type_contrat", "CDD"}, {"duree_contrat_mois", 5}},
                   {}),
      "emploi_de_transition");
  EXPECT_EQ(exitCategory(d, {{"formation_trouvee", true}}, {}), "sortie_positive");
  EXPECT_EQ(exitCategory(d, json::object(), {{"motif_sortie", "demenagement"}}), "autre_sortie");
}

using Cells = std::map<std::string, IndicatorCalculator::Cell>;
IndicatorCalculator::Cell cell(std::size_t people, std::size_t with) {
  return {people, with, {}};
}

TEST(SmallCellsTest, ALoneSmallCellTakesTheNextSmallestWithIt) {
  const Cells cells = {
      {"a", cell(30, 15)}, {"b", cell(5, 2)}, {"c", cell(40, 20)}, {"d", cell(25, 12)}};
  EXPECT_EQ(suppressSmallCells(cells, 11), (std::set<std::string>{"b", "d"}));
}

TEST(SmallCellsTest, SmallCellsThatTogetherStaySmallTakeAnotherWithThem) {
  // a and b are hidden, but total − c − d would give 7 people: below the threshold.
  const Cells cells = {
      {"a", cell(3, 1)}, {"b", cell(4, 2)}, {"c", cell(50, 25)}, {"d", cell(60, 30)}};
  EXPECT_EQ(suppressSmallCells(cells, 11), (std::set<std::string>{"a", "b", "c"}));
}

TEST(SmallCellsTest, AFewPeopleWithOrWithoutThePropertyIsASmallCellToo) {
  const Cells cells = {
      {"a", cell(40, 3)}, {"b", cell(40, 38)}, {"c", cell(40, 20)}, {"d", cell(40, 20)}};
  EXPECT_EQ(suppressSmallCells(cells, 11), (std::set<std::string>{"a", "b"}));
  EXPECT_TRUE(suppressSmallCells({{"a", cell(30, 15)}, {"b", cell(20, 0)}}, 11).empty());
}

TEST(SmallCellsTest, NoPublishedTableLetsAHiddenCellBeRecoveredBySubtraction) {
  IndicatorCalculator calc(IndicatorDefinitions::builtin(), "2026-01-01", "2026-12-31",
                           "2027-06-30");
  // 140 people in structures of very different sizes, so that some cells are small.
  const std::vector<std::pair<std::string, int>> structures = {
      {"ccas", 60}, {"ml", 45}, {"plie", 20}, {"asso-a", 9}, {"asso-b", 4}, {"asso-c", 2}};
  int n = 0;
  for (const auto& [structure, size] : structures)
    for (int i = 0; i < size; ++i, ++n) {
      Person p{n % 3 ? "F" : "M",
               "2026-0" + std::to_string(1 + n % 6) + "-10",
               "",
               json::array(),
               {{"structure_referente", structure}, {"date_decision", "2026-07-01"}},
               "2026-06-01",
               nullptr,
               nullptr,
               ""};
      if (n % 4 == 0) p.actions = {{{"date_prescription", p.entry}, {"structure", "asso-x"}}};
      calc.add(sectionsOf(p));
    }
  const json result = calc.result();
  std::size_t checked = 0;
  for (const auto& ind : result["indicators"]) {
    if (!ind["total"].contains("people") || !ind.contains("by")) continue;
    const auto total_people = ind["total"]["people"].get<std::size_t>();
    const auto total_with = ind["total"].contains("with")
                                ? ind["total"]["with"].get<std::size_t>()
                                : ind["total"]["within_target"].get<std::size_t>();
    for (const auto& [dimension, cells] : ind["by"].items()) {
      std::size_t hidden = 0, people = 0, with = 0;
      for (const auto& [name, c] : cells.items()) {
        if (c.contains("hidden")) {
          ++hidden;
          continue;
        }
        people += c["people"].get<std::size_t>();
        with += c.contains("with") ? c["with"].get<std::size_t>()
                                   : c["within_target"].get<std::size_t>();
      }
      if (hidden == 0) continue;
      ++checked;
      SCOPED_TRACE(ind["id"].get<std::string>() + " by " + dimension);
      EXPECT_GE(hidden, 2u);
      EXPECT_GE(total_people - people, 11u);
      const auto rest_with = total_with - with;
      EXPECT_TRUE(rest_with == 0 || rest_with >= 11) << rest_with;
      const auto rest_without = (total_people - people) - rest_with;
      EXPECT_TRUE(rest_without == 0 || rest_without >= 11) << rest_without;
    }
  }
  EXPECT_GT(checked, 2u) << "the data must make some cells small";
}

}  // namespace
}  // namespace passerelle::policies
