#include "passerelle/connectors/data_dictionary.hpp"

namespace passerelle::connectors {

namespace {

using nlohmann::ordered_json;

// How the CSV files are written, for whoever opens them in a spreadsheet.
constexpr const char* kCsvFormat =
    "RFC 4180, UTF-8, fins de ligne CRLF. Une cellule de texte qui commence par =, +, -, @, une "
    "tabulation ou un retour chariot est précédée d'une apostrophe (') pour qu'un tableur ne "
    "l'évalue pas comme une formule : retirez-la avant tout traitement automatique.";

std::string_view roleName(policies::ColumnRole role) {
  switch (role) {
    case policies::ColumnRole::quasi_identifier:
      return "quasi_identifiant";
    case policies::ColumnRole::sensitive:
      return "sensible";
    case policies::ColumnRole::ordinary:
      return "ordinaire";
  }
  return "ordinaire";
}

ordered_json entryOf(const policies::ExportColumn& column, const schemas::FieldCatalogue& catalogue,
                     policies::Generalisation rung) {
  ordered_json entry;
  entry["nom"] = column.name;
  entry["champ"] = column.path.str();
  const auto* field = catalogue.find(column.path.str());
  entry["libelle"] = field != nullptr ? field->label : column.name;
  entry["role"] = roleName(column.role);
  entry["traitement"] = std::string(policies::toString(rung));
  if (!column.items.empty()) {
    entry["libelle"] = "liste (" + column.path.str() + ")";
    entry["traitement"] = "liste d'objets";
    entry["elements"] = ordered_json::array();
    for (const auto& item : column.items)
      entry["elements"].push_back(entryOf(item, catalogue, item.levels.front()));
  }
  return entry;
}

}  // namespace

ordered_json dataDictionary(const policies::ExportProfile& profile,
                            const schemas::FieldCatalogue& catalogue,
                            const std::vector<std::size_t>& levels, bool with_survey_contact) {
  ordered_json out;
  out["profil"] = profile.id;
  out["version_profil"] = profile.version;
  out["titre"] = profile.title;
  out["version_catalogue"] = catalogue.version();
  out["format_csv"] = kCsvFormat;
  out["colonnes"] = ordered_json::array();
  out["colonnes"].push_back({{"nom", "pseudonyme"},
                             {"champ", ""},
                             {"libelle", "Pseudonyme de la personne, propre à l'étude"},
                             {"role", "pseudonyme"},
                             {"traitement", "HMAC-SHA256 par étude, base32"}});
  std::size_t quasi = 0;
  for (const auto& column : profile.columns) {
    auto rung = column.levels.empty() ? policies::Generalisation::keep : column.levels.front();
    if (column.role == policies::ColumnRole::quasi_identifier && quasi < levels.size())
      rung = column.levels[levels[quasi++]];
    out["colonnes"].push_back(entryOf(column, catalogue, rung));
  }
  if (with_survey_contact) {
    auto& contact = out["fichier_contact_enquete"] = ordered_json::array();
    contact.push_back({{"nom", "pseudonyme"},
                       {"champ", ""},
                       {"libelle", "Pseudonyme de la personne, le même que dans les données"},
                       {"role", "pseudonyme"},
                       {"traitement", "HMAC-SHA256 par étude, base32"}});
    for (const auto& column : profile.survey_contact) {
      auto entry = entryOf(column, catalogue, policies::Generalisation::keep);
      entry["role"] = "contact";
      entry["traitement"] = "tel quel, pour les seules personnes qui y ont consenti";
      contact.push_back(std::move(entry));
    }
  }
  return out;
}

namespace {

std::string markdownRow(const ordered_json& c, const std::string& name) {
  return "| " + name + " | " + c["libelle"].get<std::string>() + " | " +
         c["role"].get<std::string>() + " | " + c["traitement"].get<std::string>() + " | `" +
         c["champ"].get<std::string>() + "` |\n";
}

}  // namespace

std::string dataDictionaryMarkdown(const ordered_json& dictionary) {
  std::string md =
      "# Dictionnaire des données — profil " + dictionary["profil"].get<std::string>() +
      " (version " + dictionary["version_profil"].get<std::string>() + ")\n\n" +
      dictionary["titre"].get<std::string>() + "\n\n" +
      (dictionary.contains("format_csv") ? dictionary["format_csv"].get<std::string>() + "\n\n"
                                         : std::string()) +
      "| colonne | libellé | rôle | traitement | champ du DUI |\n|---|---|---|---|---|\n";
  for (const auto& c : dictionary["colonnes"]) {
    md += markdownRow(c, c["nom"].get<std::string>());
    if (c.contains("elements"))
      for (const auto& e : c["elements"])
        md += markdownRow(e, c["nom"].get<std::string>() + "[]." + e["nom"].get<std::string>());
  }
  if (dictionary.contains("fichier_contact_enquete")) {
    md +=
        "\n## Fichier de contact pour enquête (survey-contact.csv)\n\n"
        "Fichier chiffré à part, relié aux données par le pseudonyme ; seules y figurent les "
        "personnes qui ont consenti à être contactées pour cette évaluation.\n\n"
        "| colonne | libellé | rôle | traitement | champ du DUI |\n|---|---|---|---|---|\n";
    for (const auto& c : dictionary["fichier_contact_enquete"])
      md += markdownRow(c, c["nom"].get<std::string>());
  }
  return md;
}

}  // namespace passerelle::connectors
