#include "passerelle/policies/export_profile.hpp"

#include <fstream>
#include <set>

#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {

namespace detail {
const std::map<std::string, std::string>& builtinExportProfiles();
}  // namespace detail

namespace {

using nlohmann::json;

// The catalogue's treatment as a first rung and the kind of value it implies; nothing for a
// field that never leaves (drop, pseudonymise).
struct CatalogueTreatment {
  Generalisation rung;
  ValueKind kind;
};

std::optional<CatalogueTreatment> treatmentOf(const std::string& treatment) {
  if (treatment == "keep") return CatalogueTreatment{Generalisation::keep, ValueKind::plain};
  if (treatment == "generalise:mois")
    return CatalogueTreatment{Generalisation::month, ValueKind::date};
  if (treatment == "generalise:tranche_age_5")
    return CatalogueTreatment{Generalisation::age_band_5, ValueKind::birth_date};
  if (treatment == "generalise:departement")
    return CatalogueTreatment{Generalisation::departement, ValueKind::place};
  return std::nullopt;
}

bool validName(const std::string& name) {
  if (name.empty() || name.size() > 64 || name == "pseudonyme") return false;
  for (const char c : name)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

class Parser {
 public:
  Parser(const schemas::FieldCatalogue& catalogue, std::string origin)
      : catalogue_(catalogue), origin_(std::move(origin)) {}

  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw PolicyError(origin_ + (where.empty() ? "" : ": " + where) + ": " + what);
  }

  std::string text(const json& object, const char* key, const std::string& where) const {
    if (!object.contains(key) || !object[key].is_string() || object[key].get<std::string>().empty())
      fail(where, std::string("\"") + key + "\" must be a non-empty string");
    return object[key].get<std::string>();
  }

  std::size_t atLeast2(const json& value, const char* key) const {
    if (!value.is_number_integer() || value.get<long long>() < 2 || value.get<long long>() > 1000)
      fail("", std::string("\"") + key + "\" must be a whole number from 2 to 1000");
    return value.get<std::size_t>();
  }

  // The name and path every column has; `kind` names it in messages ("column", ...).
  ExportColumn namedColumn(const json& c, std::set<std::string>& names, const std::string& kind,
                           const char* list) {
    if (!c.is_object()) fail(list, "each column must be an object");
    ExportColumn out;
    out.name = text(c, "name", "a " + kind);
    const std::string where = kind + " " + out.name;
    if (!validName(out.name))
      fail(where, "names are lower-case letters, digits and _ (and not \"pseudonyme\")");
    if (!names.insert(out.name).second) fail(where, "the name is used twice");
    out.path = core::FieldPath(text(c, "path", where));
    return out;
  }

  ExportColumn column(const json& c, const std::string& parent_path, std::set<std::string>& names) {
    auto out = namedColumn(c, names, "column", "columns");
    const std::string where = "column " + out.name;
    if (!parent_path.empty() && out.path.str().rfind(parent_path + "/*/", 0) != 0)
      fail(where, "an item's path must start with " + parent_path + "/*/");
    const auto role = c.value("role", std::string("ordinary"));
    if (role == "quasi_identifier")
      out.role = ColumnRole::quasi_identifier;
    else if (role == "sensitive")
      out.role = ColumnRole::sensitive;
    else if (role != "ordinary")
      fail(where, "\"role\" must be ordinary, quasi_identifier or sensitive");
    if (c.contains("items")) {
      if (!parent_path.empty()) fail(where, "lists do not nest");
      if (!c["items"].is_array() || c["items"].empty())
        fail(where, "\"items\" must be a non-empty array of columns");
      if (out.role != ColumnRole::ordinary)
        fail(where, "a list column cannot be a quasi-identifier or sensitive");
      std::set<std::string> item_names;
      for (const auto& item : c["items"])
        out.items.push_back(column(item, out.path.str(), item_names));
      return out;
    }
    const auto* field = catalogue_.find(out.path.str());
    if (field == nullptr) fail(where, out.path.str() + " is not in the field catalogue");
    if (field->category == core::FieldCategory::identifiant_direct)
      fail(where, out.path.str() + " is a direct identifier; it never leaves in an export");
    const auto treatment = treatmentOf(field->export_treatment);
    if (!treatment)
      fail(where, "the catalogue says " + out.path.str() + " is not exported (" +
                      field->export_treatment + ")");
    if (!c.contains("levels")) {
      out.levels = {treatment->rung};
    } else {
      if (!c["levels"].is_array() || c["levels"].empty())
        fail(where, "\"levels\" must be a non-empty array");
      for (const auto& name : c["levels"]) {
        const auto rung =
            name.is_string() ? parseGeneralisation(name.get<std::string>()) : std::nullopt;
        if (!rung) fail(where, "unknown level " + name.dump());
        if (!appliesTo(*rung, treatment->kind))
          fail(where,
               "level " + std::string(toString(*rung)) + " does not apply to " + out.path.str());
        if (!out.levels.empty() && coarseness(*rung) <= coarseness(out.levels.back()))
          fail(where, "each level must be coarser than the one before");
        out.levels.push_back(*rung);
      }
    }
    if (coarseness(out.levels.front()) < coarseness(treatment->rung))
      fail(where, "level " + std::string(toString(out.levels.front())) +
                      " is finer than the catalogue's " + field->export_treatment);
    if (out.levels.size() > 1 && out.role != ColumnRole::quasi_identifier)
      fail(where, "only a quasi-identifier has several levels");
    return out;
  }

  // A survey-contact column: an identity or contact field, as it is (the file exists to reach
  // the person), never the NIR nor a sensitive field.
  ExportColumn contactColumn(const json& c, std::set<std::string>& names) {
    auto out = namedColumn(c, names, "survey-contact column", "survey_contact");
    const std::string where = "survey-contact column " + out.name;
    const auto* field = catalogue_.find(out.path.str());
    if (field == nullptr) fail(where, out.path.str() + " is not in the field catalogue");
    const auto section = schemas::FieldCatalogue::sectionOf(out.path);
    if ((section != core::Section::identite && section != core::Section::contact) ||
        out.path.str() == "/identite/nir" || field->category == core::FieldCategory::sensible)
      fail(where, "a survey-contact file holds identity and contact fields only (not " +
                      out.path.str() + ")");
    out.levels = {Generalisation::keep};
    return out;
  }

  ExportProfile profile(const json& d) {
    if (!d.is_object()) fail("", "a profile is a JSON object");
    ExportProfile p;
    p.id = text(d, "id", "");
    p.version = text(d, "version", "");
    p.title = text(d, "title", "");
    if (d.contains("k")) p.k = atLeast2(d["k"], "k");
    if (d.contains("l") && !d["l"].is_null()) p.l = atLeast2(d["l"], "l");
    if (d.contains("max_suppression")) {
      if (!d["max_suppression"].is_number() || d["max_suppression"].get<double>() < 0 ||
          d["max_suppression"].get<double>() > 1)
        fail("", "\"max_suppression\" must be a number from 0 to 1");
      p.max_suppression = d["max_suppression"].get<double>();
    }
    if (!d.contains("columns") || !d["columns"].is_array() || d["columns"].empty())
      fail("", "\"columns\" must be a non-empty array");
    std::set<std::string> names;
    for (const auto& c : d["columns"]) p.columns.push_back(column(c, "", names));
    if (p.quasiIdentifiers().empty()) fail("", "a profile needs at least one quasi_identifier");
    if (p.l && p.sensitive().empty()) fail("", "\"l\" is set but no column is sensitive");
    if (d.contains("survey_contact")) {
      const auto& s = d["survey_contact"];
      if (!s.is_object() || !s.contains("columns") || !s["columns"].is_array() ||
          s["columns"].empty())
        fail("survey_contact", "\"columns\" must be a non-empty array");
      std::set<std::string> contact_names;
      for (const auto& c : s["columns"])
        p.survey_contact.push_back(contactColumn(c, contact_names));
    }
    return p;
  }

 private:
  const schemas::FieldCatalogue& catalogue_;
  std::string origin_;
};

}  // namespace

ExportProfile ExportProfile::parse(const json& document, const schemas::FieldCatalogue& catalogue,
                                   const std::string& origin) {
  return Parser(catalogue, origin).profile(document);
}

std::vector<const ExportColumn*> ExportProfile::quasiIdentifiers() const {
  std::vector<const ExportColumn*> out;
  for (const auto& c : columns)
    if (c.role == ColumnRole::quasi_identifier) out.push_back(&c);
  return out;
}

std::vector<const ExportColumn*> ExportProfile::sensitive() const {
  std::vector<const ExportColumn*> out;
  for (const auto& c : columns)
    if (c.role == ColumnRole::sensitive) out.push_back(&c);
  return out;
}

void ExportProfiles::add(ExportProfile profile, const std::string& origin) {
  const auto id = profile.id;
  if (!profiles_.emplace(id, std::move(profile)).second)
    throw PolicyError(origin + ": profile id " + id + " is used by another file");
}

ExportProfiles ExportProfiles::builtin(const schemas::FieldCatalogue& catalogue) {
  ExportProfiles out;
  for (const auto& [name, text] : detail::builtinExportProfiles()) {
    const auto origin = "policies/exports/" + name;
    out.add(ExportProfile::parse(json::parse(text), catalogue, origin), origin);
  }
  return out;
}

ExportProfiles ExportProfiles::loadDirectory(const std::filesystem::path& dir,
                                             const schemas::FieldCatalogue& catalogue) {
  if (!std::filesystem::is_directory(dir))
    throw PolicyError(dir.string() + " is not a directory of export profiles");
  ExportProfiles out;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".json") continue;
    const auto origin = entry.path().string();
    std::ifstream in(entry.path());
    json document;
    try {
      document = json::parse(in);
    } catch (const json::parse_error& e) {
      throw PolicyError(origin + ": not JSON (" + e.what() + ")");
    } catch (const json::out_of_range&) {
      throw PolicyError(origin + ": not JSON (a number out of range)");
    }
    out.add(ExportProfile::parse(document, catalogue, origin), origin);
  }
  return out;
}

const ExportProfile* ExportProfiles::find(const std::string& id) const {
  const auto it = profiles_.find(id);
  return it == profiles_.end() ? nullptr : &it->second;
}

}  // namespace passerelle::policies
