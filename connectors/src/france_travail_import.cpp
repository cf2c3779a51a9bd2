#include <fstream>
#include <regex>
#include <set>

#include "import_formats.hpp"
#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::connectors::detail {

namespace {

using nlohmann::json;

// A row that cannot be mapped; the message names the column.
class BadRow : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Columns of the extracts the DUI does not hold (or holds elsewhere, written by others: the
// référent is part of the Département's orientation decision), counted as ignored.
const std::vector<std::string> kMainIgnored = {"dr",
                                               "appelation_rome_1",
                                               "appelation_rome_2",
                                               "mrech.axetravailprincipal",
                                               "mrech.axetravailsecondaire",
                                               "code_motif_inscription",
                                               "struct_principale",
                                               "referent_civilite",
                                               "referent_nom",
                                               "referent_prenom",
                                               "referent_mail",
                                               "code_safir",
                                               "modalite_accompagnement",
                                               "struct_suivi",
                                               "suivi_fin_prev",
                                               "dif_inser_com",
                                               "departement",
                                               "brsa"};
const std::vector<std::string> kActionsIgnored = {"objectif_formation", "adr.dc_commune_id"};

// dif_* flag -> diagnostic brake. France Travail says whether a difficulty exists, not how
// severe it is: "O" becomes "signale", "N" "aucun".
const std::vector<std::pair<std::string, std::string>> kBrakes = {
    {"dif_financiere", "financier"}, {"dif_admin_jur", "administratif"},
    {"dif_sante", "sante"},          {"dif_logement", "logement"},
    {"dif_transport", "mobilite"},   {"dif_familiale", "garde_enfants"}};

const std::vector<std::string> kMainRead = {"identifiant_unique_de",
                                            "civilite",
                                            "nom",
                                            "prenom",
                                            "lieu_naissance",
                                            "code_lieu_naissance",
                                            "date_naissance",
                                            "adresse_ligne2",
                                            "adresse_ligne3",
                                            "adresse_ligne4",
                                            "adresse_ligne5",
                                            "adresse_ligne6",
                                            "rome_1",
                                            "rome_2",
                                            "der_entretien_ppae",
                                            "der_entretien",
                                            "inscription",
                                            "motif_inscription",
                                            "categorie_inscription",
                                            "suivi_debut",
                                            "dif_financiere",
                                            "dif_admin_jur",
                                            "dif_sante",
                                            "dif_logement",
                                            "dif_transport",
                                            "dif_familiale"};
const std::vector<std::string> kActionsRead = {"identifiant_unique_de",
                                               "codeaction",
                                               "lblaction",
                                               "date_prescription",
                                               "date_realisation_action",
                                               "date_prev_debut",
                                               "date_debut",
                                               "date_fin",
                                               "formation"};

class Row {
 public:
  Row(const ColumnMap& columns, const DelimitedRow& row) : columns_(columns), row_(row) {}

  std::optional<std::string> text(const std::string& column) const {
    return columns_.get(row_, column);
  }
  // "YYYY-MM-DD" or "YYYY-MM-DD HH:MM:SS.f" -> the date.
  std::optional<std::string> date(const std::string& column) const {
    auto value = text(column);
    if (!value) return std::nullopt;
    const auto day = value->substr(0, 10);
    const bool rest_ok = value->size() == 10 || (*value)[10] == ' ' || (*value)[10] == 'T';
    if (!core::isCalendarDate(day) || !rest_ok)
      throw BadRow("column " + column + ": not a date (YYYY-MM-DD, time allowed)");
    return day;
  }
  std::optional<bool> flag(const std::string& column) const {
    const auto value = text(column);
    if (!value) return std::nullopt;
    if (*value == "O" || *value == "o") return true;
    if (*value == "N" || *value == "n") return false;
    throw BadRow("column " + column + ": expected O or N");
  }
  std::string identifier() const {
    auto value = text("identifiant_unique_de");
    if (!value) throw BadRow("column identifiant_unique_de: empty");
    std::string out;
    for (const char c : *value)
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return out;
  }

 private:
  const ColumnMap& columns_;
  const DelimitedRow& row_;
};

void putIf(json& object, const char* key, const std::optional<std::string>& value) {
  if (value) object[key] = *value;
}

// France Travail's registration category as an extract gives it: the administrative category
// of the DEFM (1 to 8), the statistical category (A to E), or both ("1 - A"). The statistical
// one follows from the administrative one but for 1 to 3, which are A or B depending on whether
// the person worked in the month, which an extract does not say.
struct RegistrationCategory {
  std::optional<std::string> administrative;
  std::optional<std::string> statistical;
};

std::optional<RegistrationCategory> parseRegistrationCategory(const std::string& code) {
  static const std::regex shape("^(?:([1-8])(?:\\s*-\\s*([A-E]))?|([A-E]))$");
  std::smatch m;
  if (!std::regex_match(code, m, shape)) return std::nullopt;
  if (m[3].matched) return RegistrationCategory{std::nullopt, m[3].str()};
  const char digit = m[1].str()[0];
  const std::optional<std::string> derived = digit == '4'   ? std::optional<std::string>("D")
                                             : digit == '5' ? std::optional<std::string>("E")
                                             : digit >= '6' ? std::optional<std::string>("C")
                                                            : std::nullopt;
  if (m[2].matched && derived && *derived != m[2].str()) return std::nullopt;  // contradicts
  return RegistrationCategory{m[1].str(), m[2].matched ? m[2].str() : derived};
}

dossiers::ImportPerson mainPerson(const Row& row, std::vector<std::string>& notes) {
  dossiers::ImportPerson person;
  person.sections["identifiants"] = {{"france_travail", row.identifier()}};

  json identite = json::object();
  putIf(identite, "nom_naissance", row.text("nom"));
  if (const auto first = row.text("prenom")) identite["prenoms"] = json::array({*first});
  putIf(identite, "date_naissance", row.date("date_naissance"));
  if (auto civ = row.text("civilite")) {
    for (auto& c : *civ) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (civ->rfind("MME", 0) == 0 || civ->rfind("MLLE", 0) == 0)
      identite["sexe"] = "F";
    else if (*civ == "M" || *civ == "M." || *civ == "MR" || *civ == "MR.")
      identite["sexe"] = "M";
  }
  putIf(identite, "commune_naissance_libelle", row.text("lieu_naissance"));
  if (const auto code = row.text("code_lieu_naissance")) {
    static const std::regex commune("^([0-9]{2}|2A|2B)[0-9]{3}$");
    static const std::regex country("^99[0-9]{3}$");
    if (std::regex_match(*code, country))
      identite["pays_naissance_cog"] = *code;
    else if (std::regex_match(*code, commune))
      identite["commune_naissance_cog"] = *code;
  }
  person.on_create["identite"] = identite;

  json address = json::object();
  json lines = json::array();
  for (const char* column :
       {"adresse_ligne2", "adresse_ligne3", "adresse_ligne4", "adresse_ligne5"})
    if (const auto line = row.text(column)) lines.push_back(*line);
  if (!lines.empty()) address["lignes"] = lines;
  if (const auto town = row.text("adresse_ligne6")) {
    static const std::regex postcode_town("^([0-9]{5})\\s+(.+)$");
    std::smatch m;
    if (std::regex_match(*town, m, postcode_town)) {
      address["code_postal"] = m[1].str();
      address["commune"] = m[2].str();
    } else {
      address["commune"] = *town;
    }
  }
  if (!address.empty()) person.on_create["contact"] = {{"adresse", address}};

  json situation = json::object();
  if (const auto registered = row.date("inscription")) {
    json inscription = {{"inscrit", true}, {"date_inscription", *registered}};
    if (const auto code = row.text("categorie_inscription")) {
      if (const auto category = parseRegistrationCategory(*code)) {
        putIf(inscription, "categorie_administrative", category->administrative);
        putIf(inscription, "categorie", category->statistical);
      } else {
        // An optional column: the rest of the person is imported.
        notes.push_back(
            "column categorie_inscription: not a category (1 to 8, A to E, or "
            "\"1 - A\"): left out");
      }
    }
    putIf(inscription, "motif", row.text("motif_inscription"));
    situation["inscription_france_travail"] = inscription;
    // France Travail states the registration whole: a category it no longer gives (a
    // statistical one that the new administrative one does not determine) must not linger.
    person.replace.emplace_back("/situation_pro/inscription_france_travail");
  }
  json rome = json::array();
  for (const char* column : {"rome_1", "rome_2"})
    if (const auto code = row.text(column)) rome.push_back(*code);
  if (!rome.empty()) situation["codes_rome"] = rome;
  if (!situation.empty()) person.sections["situation_pro"] = situation;

  json brakes = json::object();
  for (const auto& [column, brake] : kBrakes)
    if (const auto flag = row.flag(column)) brakes[brake] = *flag ? "signale" : "aucun";
  if (!brakes.empty()) {
    json diagnostic = {{"freins", brakes}};
    // The extract does not date its flags: the last PPAE interview, else the last interview,
    // else the start of the follow-up, else the registration, is when they were known.
    std::optional<std::string> date;
    for (const char* column : {"der_entretien_ppae", "der_entretien", "suivi_debut", "inscription"})
      if (!date) date = row.date(column);
    putIf(diagnostic, "date", date);
    person.sections["diagnostic"] = diagnostic;
    person.if_allowed.emplace_back("/diagnostic/freins/sante");
  }
  return person;
}

dossiers::ImportPerson actionPerson(const Row& row) {
  json action = json::object();
  putIf(action, "code", row.text("codeaction"));
  putIf(action, "libelle", row.text("lblaction"));
  putIf(action, "date_prescription", row.date("date_prescription"));
  auto start = row.date("date_debut");
  if (!start) start = row.date("date_prev_debut");
  putIf(action, "date_debut", start);
  putIf(action, "date_fin", row.date("date_fin"));
  if (row.flag("formation").value_or(false)) action["categorie"] = "formation";
  if (row.date("date_realisation_action")) action["resultat"] = "realisee";
  dossiers::ImportPerson person;
  person.sections = {{"identifiants", {{"france_travail", row.identifier()}}},
                     {"parcours", {{"actions", json::array({action})}}}};
  person.upsert_items.push_back(
      {core::FieldPath("/parcours/actions"), {"code", "date_prescription"}});
  return person;
}

}  // namespace

void importFranceTravail(const std::filesystem::path& file, ImportReport& report,
                         const PersonSink& sink) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw FileFormatError("cannot open the file");
  DelimitedReader reader(in, ';');
  const auto header = reader.next();
  if (!header) throw FileFormatError("the file is empty: a header line is expected");
  for (const auto& f : header->fields)
    if (f && !isUtf8(*f)) throw FileFormatError("line 1: the header is not UTF-8");
  bool actions = false;
  for (const auto& f : header->fields) actions = actions || (f && *f == "codeaction");
  const auto& read = actions ? kActionsRead : kMainRead;
  const auto& ignored = actions ? kActionsIgnored : kMainIgnored;
  const ColumnMap columns(*header, read);
  const std::set<std::string> known(ignored.begin(), ignored.end());
  for (const auto& extra : columns.extra())
    if (!known.count(extra)) report.warnings.push_back("column " + extra + " is not read");
  report.details = {{"file", actions ? "actions" : "main"}};

  while (true) {
    std::optional<DelimitedRow> row;
    try {
      row = reader.next();
    } catch (const FileFormatError& e) {
      report.reject({report.records + 1, 0, std::nullopt}, e.what());  // a quote left open
      break;
    }
    if (!row) break;
    ++report.records;
    const ImportPosition position{report.records, row->line, std::nullopt};
    bool utf8 = true;
    for (const auto& f : row->fields) utf8 = utf8 && (!f || isUtf8(*f));
    if (!utf8) {
      report.reject(position, "the row is not UTF-8");
      continue;
    }
    if (row->fields.size() != header->fields.size()) {
      report.reject(position, "the row has " + std::to_string(row->fields.size()) +
                                  " fields, the header " + std::to_string(header->fields.size()));
      continue;
    }
    const Row r(columns, *row);
    dossiers::ImportPerson person;
    std::vector<std::string> notes;
    try {
      person = actions ? actionPerson(r) : mainPerson(r, notes);
    } catch (const BadRow& e) {
      report.reject(position, e.what());
      continue;
    }
    for (const auto& note : notes)
      report.warnings.push_back("row " + std::to_string(position.record) + " (line " +
                                std::to_string(row->line) + "): " + note);
    for (const auto& column : ignored)
      if (r.text(column)) ++report.ignored["column " + column];
    ++report.persons;
    sink(position, person);
  }
}

}  // namespace passerelle::connectors::detail
