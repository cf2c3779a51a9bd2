#include "passerelle/testdata/synthetic_dossiers.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <random>
#include <string>

#include "passerelle/schemas/nir.hpp"

namespace passerelle::testdata {

namespace {

using nlohmann::json;

constexpr std::array kSurnames = {
    "Pissenlit",  "Coquelicot",    "Marmotte",  "Hérisson",  "Tilleul",   "Chardonneret",
    "Myrtille",   "Bergeronnette", "Églantine", "Loriot",    "Campanule", "Écureuil",
    "Mésange",    "Châtaignier",   "Libellule", "Primevère", "Blaireau",  "Noisetier",
    "Pâquerette", "Salamandre",    "Rossignol", "Bruyère",   "Martinet",  "Genévrier"};
constexpr std::array kFemale = {"Aïcha",  "Camille", "Chloé",  "Fatou", "Inès",  "Léa",
                                "Maëlle", "Nadia",   "Océane", "Rose",  "Sarah", "Zoé"};
constexpr std::array kMale = {"Adam",    "Bastien", "Éric", "Hugo", "Karim", "Léo",
                              "Mamadou", "Noé",     "Omar", "Rémi", "Théo",  "Yanis"};
struct Commune {
  const char* insee;
  const char* postcode;
  const char* name;
};
constexpr std::array<Commune, 8> kCommunes = {{{"93066", "93200", "Saint-Denis"},
                                               {"93048", "93100", "Montreuil"},
                                               {"93008", "93000", "Bobigny"},
                                               {"93070", "93400", "Saint-Ouen-sur-Seine"},
                                               {"93001", "93300", "Aubervilliers"},
                                               {"93064", "93110", "Rosny-sous-Bois"},
                                               {"93055", "93500", "Pantin"},
                                               {"93005", "93600", "Aulnay-sous-Bois"}}};
constexpr std::array kBirthDepartements = {"75", "93", "92", "69", "13",
                                           "2A", "2B", "59", "33", "99"};
constexpr std::array kStructures = {"mission-locale", "departement", "france-travail"};
constexpr std::array kFreinLevels = {"aucun", "leger", "modere", "important"};
constexpr std::array kRome = {"K1304", "N1103", "G1603", "H2102",
                              "J1501", "F1608", "K2204", "D1507"};

class Generator {
 public:
  explicit Generator(std::uint32_t seed) : rng_(seed) {}

  int between(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng_); }
  template <class A>
  auto pick(const A& array) {
    return array[static_cast<std::size_t>(between(0, static_cast<int>(array.size()) - 1))];
  }
  static std::string date(int y, int m, int d) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
    return buf;
  }
  // Dates stay before the data set's reference month (October 2026).
  std::string dateIn(int from_year, int to_year) {
    const int year = between(from_year, std::min(to_year, 2026));
    return date(year, between(1, year == 2026 ? 10 : 12), between(1, 28));
  }

 private:
  std::mt19937 rng_;
};

std::string digits(std::size_t value, int width) {
  std::string s = std::to_string(value);
  return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                     '0') +
         s;
}

json person(Generator& g, std::size_t index) {
  const bool female = g.chance(0.55);
  const int birth_year = g.between(1962, 2005);
  const int birth_month = g.between(1, 12);
  const std::string dept = g.pick(kBirthDepartements);
  // Commune and order numbers from the index keep NIRs unique among the first 999,000 people
  // (the order number stays 3 digits beyond, so later NIRs are valid but may repeat).
  const std::string nir13 = std::string(female ? "2" : "1") + digits(birth_year % 100, 2) +
                            digits(birth_month, 2) + dept + digits(index % 1000, 3) +
                            digits(index / 1000 % 999 + 1, 3);
  const auto key = schemas::nirKey(nir13);
  const Commune home = g.pick(kCommunes);
  const std::string surname = g.pick(kSurnames);
  const std::string first = female ? g.pick(kFemale) : g.pick(kMale);

  json d;
  d["identite"] = {{"nom_naissance", surname},
                   {"prenoms", json::array({first})},
                   {"date_naissance", Generator::date(birth_year, birth_month, g.between(1, 28))},
                   {"sexe", female ? "F" : "M"},
                   {"nir", nir13 + digits(static_cast<std::size_t>(key), 2)}};
  if (dept == "99") {
    d["identite"]["pays_naissance_cog"] = "99350";
  } else {
    d["identite"]["pays_naissance_cog"] = "99100";
    d["identite"]["commune_naissance_cog"] =
        dept + "0" + digits(static_cast<std::size_t>(g.between(1, 99)), 2);
  }
  if (female && g.chance(0.3)) d["identite"]["nom_usage"] = g.pick(kSurnames);

  d["identifiants"] = {{"caf",
                        {{"organisme", index % 10 == 0 ? "MSA" : "CAF"},
                         {"numero_organisme", "931"},
                         {"matricule", digits(1000000 + index, 7)}}},
                       {"france_travail", digits(3000000 + index, 7) + "X"},
                       {"departement", "DEMO-93-" + digits(index, 6)}};

  d["contact"] = {
      {"adresse",
       {{"lignes", json::array({std::to_string(g.between(1, 180)) + " rue des Exemples"})},
        {"code_postal", home.postcode},
        {"code_commune_insee", home.insee},
        {"commune", home.name}}},
      {"email", "personne" + std::to_string(index) + "@exemple.invalid"},
      {"telephone", "+33 6 00 00 " + digits(index % 100, 2) + " " + digits(index / 100 % 100, 2)},
      {"sans_domicile_fixe", g.chance(0.06)},
      {"residant_qpv", g.chance(0.45)}};

  const int children = g.chance(0.5) ? g.between(1, 4) : 0;
  d["foyer"] = {{"situation_maritale", g.pick(std::array{"celibataire", "marie", "pacse",
                                                         "concubinage", "divorce", "separe"})},
                {"enfants_a_charge", children > 0},
                {"nombre_enfants", children},
                {"nombre_enfants_moins_3_ans", children > 0 ? g.between(0, 1) : 0},
                {"role_foyer_rsa", g.chance(0.8) ? "demandeur" : "conjoint"}};

  const int opened_year = g.between(2016, 2026);
  const int opened_month = g.between(1, opened_year == 2026 ? 10 : 12);
  const int state = g.pick(std::array{2, 2, 2, 2, 3, 4, 5, 0});
  json rsa = {
      {"etat_dossier", state},
      {"date_demande", Generator::date(opened_year, opened_month, 1)},
      {"date_ouverture_droits", Generator::date(opened_year, opened_month, g.between(2, 28))},
      {"soumis_droits_devoirs", g.chance(0.9)},
      {"anciennete_mois", (2026 - opened_year) * 12 + (11 - opened_month)}};
  if (state == 4) rsa["motif_suspension"] = g.pick(std::array{"01", "02", "06", "09"});
  if (state == 5) {
    rsa["motif_cloture"] = g.pick(std::array{"PCG", "RES", "DEM"});
    rsa["date_cloture"] = g.dateIn(2025, 2026);
  }
  d["droits"] = {{"rsa", rsa}, {"prime_activite", {{"beneficiaire", g.chance(0.25)}}}};
  if (g.chance(0.08))
    d["droits"]["aah"] = {{"beneficiaire", true}, {"date_debut", g.dateIn(2015, 2024)}};
  if (g.chance(0.4))
    d["droits"]["complementaire_sante_solidaire"] = {{"beneficiaire", true},
                                                     {"date_debut", g.dateIn(2020, 2025)}};

  d["situation_pro"] = {
      {"niveau_diplome", g.pick(std::array{"infra_3", "infra_3", "3", "4", "5", "6", "7"})},
      {"situation_actuelle",
       g.pick(std::array{"sans_emploi", "sans_emploi", "emploi", "formation", "autre"})},
      {"inscription_france_travail",
       {{"inscrit", g.chance(0.7)},
        {"categorie", g.pick(std::array{"A", "B", "C"})},
        {"date_inscription", g.dateIn(2018, 2026)}}},
      {"codes_rome", json::array({g.pick(kRome), g.pick(kRome)})}};
  if (g.chance(0.07))
    d["situation_pro"]["rqth"] = {{"reconnue", true}, {"date_fin", g.dateIn(2026, 2030)}};

  const std::string structure = g.pick(kStructures);
  if (g.chance(0.75)) {
    json freins = json::object();
    for (const char* f : {"logement", "mobilite", "sante", "garde_enfants", "langue", "numerique",
                          "administratif", "financier"})
      freins[f] = g.pick(kFreinLevels);
    d["diagnostic"] = {
        {"date", g.dateIn(2024, 2026)},
        {"structure_auteur", structure},
        {"freins", freins},
        {"besoins", json::array({"Permis de conduire", "Mode de garde"})},
        {"competences", json::array({{{"type", "pix"},
                                      {"libelle", "Compétences numériques"},
                                      {"niveau", std::to_string(g.between(1, 5))}}})},
        {"accord_personne", {{"accord", g.chance(0.9)}, {"date", g.dateIn(2024, 2026)}}}};
  }
  if (g.chance(0.7)) {
    d["orientation"] = {
        {"type", structure == "mission-locale" ? "socio_professionnelle"
                                               : g.pick(std::array{"professionnelle", "sociale"})},
        {"structure_referente", structure},
        {"referent",
         {{"nom", "Référent n°" + std::to_string(g.between(1, 40))},
          {"email", "referent" + std::to_string(g.between(1, 40)) + "@exemple.invalid"}}},
        {"date_decision", Generator::date(opened_year, opened_month, 28)},
        {"date_effet", Generator::date(opened_year, opened_month, 28)}};
    if (g.chance(0.7))
      d["contrat"] = {
          {"type", structure == "france-travail"
                       ? "PPAE"
                       : g.pick(std::array{"CER", "contrat_engagement", "CEJ"})},
          {"structure", structure},
          {"date_signature", g.dateIn(2024, 2026)},
          {"date_debut", g.dateIn(2024, 2026)},
          {"objectifs", json::array({"Reprendre une activité", "Lever le frein mobilité"})}};
  }
  if (g.chance(0.85)) {
    json parcours = {
        {"date_entree", Generator::date(opened_year, opened_month, 15)},
        {"evenements",
         json::array({{{"type", "droits_ouverts"}, {"date", rsa["date_ouverture_droits"]}}})},
        {"actions", json::array()},
        {"rendez_vous", json::array()}};
    const int n_actions = g.between(0, 4);
    for (int a = 0; a < n_actions; ++a)
      parcours["actions"].push_back(
          {{"code", "ACT" + std::to_string(g.between(100, 999))},
           {"libelle", g.pick(std::array{"Atelier CV", "Formation bureautique",
                                         "Accompagnement mobilité", "Immersion en entreprise"})},
           {"categorie", g.pick(std::array{"emploi", "formation", "social", "mobilite"})},
           {"structure", structure},
           {"date_prescription", g.dateIn(2024, 2026)},
           {"resultat", g.pick(std::array{"en_cours", "realisee", "abandonnee"})}});
    parcours["rendez_vous"].push_back(
        {{"date", g.dateIn(2024, 2026)},
         {"structure", structure},
         {"nature", "premier_entretien"},
         {"statut", g.pick(std::array{"realise", "realise", "manque", "propose"})}});
    if (g.chance(0.2)) {
      parcours["date_sortie"] = g.dateIn(2025, 2026);
      parcours["motif_sortie"] =
          g.pick(std::array{"emploi", "formation", "demenagement", "fin_droits"});
      d["sortie"] = {{"emploi_trouve", parcours["motif_sortie"] == "emploi"},
                     {"formation_trouvee", parcours["motif_sortie"] == "formation"},
                     {"date", parcours["date_sortie"]}};
      if (parcours["motif_sortie"] == "emploi")
        d["sortie"].update({{"statut", "salarie"},
                            {"type_contrat", g.pick(std::array{"CDI", "CDD", "interim"})},
                            {"duree_contrat_mois", g.between(1, 24)},
                            {"temps_travail", g.pick(std::array{"plein", "partiel"})}});
    }
    d["parcours"] = parcours;
  }
  if (g.chance(0.1))
    d["sante"] = {{"handicap_reconnu", g.chance(0.5)},
                  {"suivi_medical", true},
                  {"date_mise_a_jour", g.dateIn(2025, 2026)}};
  return d;
}

}  // namespace

json cafPushOf(const json& person) {
  return {{"identite", person["identite"]},
          {"identifiants", {{"caf", person["identifiants"]["caf"]}}},
          {"contact", person["contact"]},
          {"foyer", person["foyer"]},
          {"droits", person["droits"]}};
}

std::vector<json> syntheticDossiers(std::size_t count, std::uint32_t seed) {
  std::vector<json> out;
  out.reserve(count);
  forEachSyntheticDossier(
      count, [&](std::size_t, const json& p) { out.push_back(p); }, seed);
  return out;
}

void forEachSyntheticDossier(std::size_t count,
                             const std::function<void(std::size_t, const json&)>& use,
                             std::uint32_t seed) {
  Generator g(seed);
  for (std::size_t i = 0; i < count; ++i) use(i, person(g, i));
}

}  // namespace passerelle::testdata
