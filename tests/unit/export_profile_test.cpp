#include "passerelle/policies/export_profile.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "passerelle/policies/anonymity_planner.hpp"
#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {
namespace {

using nlohmann::json;
const auto& catalogue() {
  return schemas::FieldCatalogue::builtin();
}

TEST(GeneralisationTest, DatesAgesPlacesCountsAndDiplomas) {
  const std::string_view ref = "2026-06-30";
  EXPECT_EQ(generalise(Generalisation::month, "2024-03-17", ref), "2024-03");
  EXPECT_EQ(generalise(Generalisation::quarter, "2024-11-02", ref), "2024-T4");
  EXPECT_EQ(generalise(Generalisation::year, "2024-11-02T10:00:00Z", ref), "2024");
  EXPECT_EQ(generalise(Generalisation::month, "17/03/2024", ref), nullptr);
  EXPECT_EQ(generalise(Generalisation::birth_year, "1987-05-02", ref), "1987");
  // 35 on 2026-06-30 if born 1991-06-30, still 34 if born a day later.
  EXPECT_EQ(generalise(Generalisation::age_band_5, "1991-06-30", ref), "35-39");
  EXPECT_EQ(generalise(Generalisation::age_band_5, "1991-07-01", ref), "30-34");
  EXPECT_EQ(generalise(Generalisation::age_band_10, "1991-07-01", ref), "30-39");
  EXPECT_EQ(generalise(Generalisation::age_band_spie, "2003-01-01", ref), "<25");
  EXPECT_EQ(generalise(Generalisation::age_band_spie, "1980-01-01", ref), "45-49");
  EXPECT_EQ(generalise(Generalisation::age_band_spie, "1950-01-01", ref), "50+");
  EXPECT_EQ(generalise(Generalisation::age_band_5, "2030-01-01", ref), nullptr) << "unborn";
  EXPECT_EQ(generalise(Generalisation::departement, "93200", ref), "93");
  EXPECT_EQ(generalise(Generalisation::departement, "97411", ref), "974");
  EXPECT_EQ(generalise(Generalisation::departement, "20090", ref), "2A");
  EXPECT_EQ(generalise(Generalisation::departement, "20200", ref), "2B");
  EXPECT_EQ(generalise(Generalisation::departement, "2B033", ref), "2B");
  EXPECT_EQ(generalise(Generalisation::departement, "9320", ref), nullptr);
  EXPECT_EQ(generalise(Generalisation::cap_3, 2, ref), "2");
  EXPECT_EQ(generalise(Generalisation::cap_3, 7, ref), "3+");
  EXPECT_EQ(generalise(Generalisation::diploma_group, "infra_3", ref), "infra_bac");
  EXPECT_EQ(generalise(Generalisation::diploma_group, "4", ref), "bac");
  EXPECT_EQ(generalise(Generalisation::diploma_group, "6", ref), "superieur");
  EXPECT_EQ(generalise(Generalisation::mask, "F", ref), "*");
  EXPECT_EQ(generalise(Generalisation::keep, nullptr, ref), nullptr);
}

TEST(ExportProfileTest, TheShippedProfilesLoad) {
  const auto profiles = ExportProfiles::builtin(catalogue());
  const auto* annexe = profiles.find("annexe-e");
  ASSERT_NE(annexe, nullptr);
  EXPECT_EQ(annexe->k, 11u);
  EXPECT_EQ(annexe->quasiIdentifiers().size(), 5u);
  EXPECT_EQ(annexe->sensitive().size(), 1u);
  ASSERT_NE(profiles.find("indicateurs"), nullptr);
  // No column of any shipped profile is a direct identifier (the parser refuses them).
  for (const auto& [id, profile] : profiles.all())
    for (const auto& column : profile.columns)
      if (const auto* field = catalogue().find(column.path.str())) {
        EXPECT_NE(field->category, core::FieldCategory::identifiant_direct) << column.name;
      }
}

json profileWith(const json& column) {
  return {{"id", "t"},
          {"version", "1"},
          {"title", "test"},
          {"columns",
           {{{"name", "sexe"}, {"path", "/identite/sexe"}, {"role", "quasi_identifier"}}, column}}};
}

std::string refusal(const json& document) {
  try {
    ExportProfile::parse(document, catalogue(), "test.json");
    return "";
  } catch (const PolicyError& e) {
    return e.what();
  }
}

TEST(ExportProfileTest, ProfilesThatWouldLeakOrMisleadAreRefusedByName) {
  const std::map<std::string, json> cases = {
      {"is a direct identifier", {{"name", "nom"}, {"path", "/identite/nom_naissance"}}},
      {"is not exported (drop)", {{"name", "sante"}, {"path", "/sante/suivi_medical"}}},
      {"is finer than the catalogue's generalise:tranche_age_5",
       {{"name", "naissance"},
        {"path", "/identite/date_naissance"},
        {"levels", {"annee_naissance"}}}},
      {"does not apply to /identite/sexe",
       {{"name", "s"}, {"path", "/identite/sexe"}, {"levels", {"mois"}}}},
      {"must be coarser than the one before",
       {{"name", "age"},
        {"path", "/identite/date_naissance"},
        {"role", "quasi_identifier"},
        {"levels", {"tranche_age_10", "tranche_age_5"}}}},
      {"is not in the field catalogue", {{"name", "x"}, {"path", "/identite/pointure"}}},
      {"the name is used twice", {{"name", "sexe"}, {"path", "/foyer/nombre_enfants"}}},
      {"only a quasi-identifier has several levels",
       {{"name", "n"}, {"path", "/foyer/nombre_enfants"}, {"levels", {"plafond_3", "masque"}}}},
      {"an item's path must start with /parcours/actions/*/",
       {{"name", "actions"},
        {"path", "/parcours/actions"},
        {"items", {{{"name", "d"}, {"path", "/parcours/rendez_vous/*/date"}}}}}},
  };
  for (const auto& [expected, column] : cases) {
    const auto message = refusal(profileWith(column));
    EXPECT_NE(message.find(expected), std::string::npos) << expected << " -> " << message;
    EXPECT_NE(message.find("test.json"), std::string::npos) << message;
  }
  auto no_sensitive = profileWith({{"name", "n"}, {"path", "/foyer/nombre_enfants"}});
  no_sensitive["l"] = 2;
  EXPECT_NE(refusal(no_sensitive).find("no column is sensitive"), std::string::npos);
  auto small_k = no_sensitive;
  small_k.erase("l");
  small_k["k"] = 1;
  EXPECT_NE(refusal(small_k).find("\"k\" must be"), std::string::npos);
}

TEST(ExportProfileTest, SurveyContactColumnsAreIdentityAndContactOnly) {
  const auto shipped = ExportProfiles::builtin(catalogue());
  const auto* annexe = shipped.find("annexe-e");
  ASSERT_NE(annexe, nullptr);
  ASSERT_EQ(annexe->survey_contact.size(), 8u);
  EXPECT_EQ(annexe->survey_contact[0].path.str(), "/identite/nom_usage");
  EXPECT_TRUE(shipped.find("indicateurs")->survey_contact.empty());

  const auto withContact = [](const json& column) {
    auto profile = profileWith({{"name", "n"}, {"path", "/foyer/nombre_enfants"}});
    profile["survey_contact"] = {{"columns", {column}}};
    return profile;
  };
  auto good = withContact({{"name", "courriel"}, {"path", "/contact/email"}});
  EXPECT_EQ(refusal(good), "");
  const std::map<std::string, json> cases = {
      {"identity and contact fields only (not /identite/nir)",
       {{"name", "nir"}, {"path", "/identite/nir"}}},
      {"identity and contact fields only (not /foyer/situation_maritale)",
       {{"name", "s"}, {"path", "/foyer/situation_maritale"}}},
      {"is not in the field catalogue", {{"name", "x"}, {"path", "/contact/fax"}}},
      {"names are lower-case", {{"name", "Nom"}, {"path", "/identite/nom_usage"}}},
  };
  for (const auto& [expected, column] : cases) {
    const auto message = refusal(withContact(column));
    EXPECT_NE(message.find(expected), std::string::npos) << expected << " -> " << message;
  }
  auto empty = good;
  empty["survey_contact"]["columns"] = json::array();
  EXPECT_NE(refusal(empty).find("survey_contact"), std::string::npos);
}

// Sections of a person born on `birth`, of sex `sex`, with the AAH or not.
std::map<core::Section, json> person(const std::string& birth, const std::string& sex,
                                     bool aah = false) {
  return {{core::Section::identite, {{"date_naissance", birth}, {"sexe", sex}}},
          {core::Section::droits, {{"aah", {{"beneficiaire", aah}}}}},
          {core::Section::parcours,
           {{"date_entree", "2025-02-14"},
            {"actions", {{{"categorie", "emploi"}, {"date_debut", "2025-03-03"}}}}}}};
}

ExportProfile testProfile(std::size_t k, double max_suppression, std::optional<std::size_t> l) {
  json document = {
      {"id", "t"},
      {"version", "1"},
      {"title", "test"},
      {"k", k},
      {"max_suppression", max_suppression},
      {"columns",
       {{{"name", "age"},
         {"path", "/identite/date_naissance"},
         {"role", "quasi_identifier"},
         {"levels", {"tranche_age_5", "tranche_age_10", "masque"}}},
        {{"name", "sexe"},
         {"path", "/identite/sexe"},
         {"role", "quasi_identifier"},
         {"levels", {"keep", "masque"}}},
        {{"name", "entree"}, {"path", "/parcours/date_entree"}},
        {{"name", "actions"},
         {"path", "/parcours/actions"},
         {"items",
          {{{"name", "categorie"}, {"path", "/parcours/actions/*/categorie"}},
           {{"name", "debut"}, {"path", "/parcours/actions/*/date_debut"}}}}},
        {{"name", "aah"}, {"path", "/droits/aah/beneficiaire"}, {"role", "sensitive"}}}}};
  if (l) document["l"] = *l;
  return ExportProfile::parse(document, catalogue(), "test");
}

// 4 women and 3 men aged 30-34, one woman and one man aged 35-39 (on 2026-06-30).
std::vector<std::map<core::Section, json>> population() {
  std::vector<std::map<core::Section, json>> people;
  for (int i = 0; i < 4; ++i) people.push_back(person("1994-01-0" + std::to_string(i + 1), "F"));
  for (int i = 0; i < 3; ++i) people.push_back(person("1993-02-0" + std::to_string(i + 1), "M"));
  people.push_back(person("1989-01-01", "F"));
  people.push_back(person("1988-01-01", "M"));
  return people;
}

struct Outcome {
  AnonymityPlan plan;
  std::vector<nlohmann::ordered_json> rows;
};

Outcome runPlanner(const ExportProfile& profile,
                   const std::vector<std::map<core::Section, json>>& people) {
  AnonymityPlanner planner(profile);
  for (const auto& p : people) planner.add(project(profile, p, "2026-06-30"));
  Outcome out{planner.plan(), {}};
  for (std::size_t i = 0; i < people.size(); ++i) {
    const auto row = project(profile, people[i], "2026-06-30");
    if (planner.leaves(out.plan, row))
      out.rows.push_back(planner.rowOf(out.plan, row, "P" + std::to_string(i)));
  }
  return out;
}

// Every class of the rows that leave, recounted from the rows themselves.
std::map<std::string, std::size_t> recount(const std::vector<nlohmann::ordered_json>& rows) {
  std::map<std::string, std::size_t> classes;
  for (const auto& row : rows) ++classes[row["age"].dump() + "|" + row["sexe"].dump()];
  return classes;
}

TEST(AnonymityPlannerTest, GeneralisesOneLevelWhenSuppressionWouldExceedTheLimit) {
  // At 5-year bands, the two people aged 35-39 are alone in their class: 2 of 9 rows (22 %)
  // would go, more than 10 %. 10-year bands with sex kept suppress nothing.
  const auto out = runPlanner(testProfile(3, 0.10, std::nullopt), population());
  EXPECT_EQ(out.plan.levels, (std::vector<std::size_t>{1, 0}));
  EXPECT_EQ(out.plan.suppressed, 0u);
  EXPECT_EQ(out.plan.smallest_class, 4u);
  EXPECT_EQ(out.rows.size(), 9u);
  for (const auto& [key, size] : recount(out.rows)) EXPECT_GE(size, 3u) << key;
  EXPECT_EQ(out.rows[0]["age"], "30-39");
  EXPECT_EQ(out.rows[0]["pseudonyme"], "P0");
  EXPECT_EQ(out.rows[0]["entree"], "2025-02") << "the catalogue's month, always";
  EXPECT_EQ(out.rows[0]["actions"], json::parse(R"([{"categorie":"emploi","debut":"2025-03"}])"));
}

TEST(AnonymityPlannerTest, SuppressesSmallClassesWhenTheLimitAllowsIt) {
  const auto out = runPlanner(testProfile(3, 0.25, std::nullopt), population());
  EXPECT_EQ(out.plan.levels, (std::vector<std::size_t>{0, 0}));
  EXPECT_EQ(out.plan.suppressed, 2u);
  EXPECT_EQ(out.plan.smallest_class, 3u);
  EXPECT_EQ(out.rows.size(), 7u);
  for (const auto& [key, size] : recount(out.rows)) EXPECT_GE(size, 3u) << key;
  // A k nothing can reach: everything masked is one class of 9, below 10; all rows go.
  const auto none = runPlanner(testProfile(10, 0.0, std::nullopt), population());
  EXPECT_TRUE(none.rows.empty());
  EXPECT_EQ(none.plan.suppressed, 9u);
  EXPECT_FALSE(none.plan.within_suppression_limit);
}

TEST(AnonymityPlannerTest, LDiversityRemovesClassesWhoseSensitiveValueIsUniform) {
  auto people = population();
  // Every man aged 30-34 receives the AAH: knowing a man of that age is in the file tells it.
  for (int i = 4; i < 7; ++i) people[i] = person("1993-02-0" + std::to_string(i - 3), "M", true);
  const auto k_only = runPlanner(testProfile(3, 0.25, std::nullopt), people);
  EXPECT_EQ(k_only.plan.suppressed, 2u);
  // With l = 2, no class of the first plan is diverse (all 9 rows would go); masking sex mixes
  // these men with the women of their age; the two aged 35-39 go, as before.
  const auto diverse = runPlanner(testProfile(3, 0.25, 2), people);
  EXPECT_EQ(diverse.plan.levels, (std::vector<std::size_t>{0, 1}));
  EXPECT_EQ(diverse.plan.suppressed, 2u);
  EXPECT_EQ(diverse.rows.size(), 7u);
  std::map<std::string, std::set<std::string>> aah_by_class;
  for (const auto& row : diverse.rows)
    aah_by_class[row["age"].dump() + row["sexe"].dump()].insert(row["aah"].dump());
  for (const auto& [key, values] : aah_by_class) EXPECT_GE(values.size(), 2u) << key;
}

}  // namespace
}  // namespace passerelle::policies
