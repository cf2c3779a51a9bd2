#include "passerelle/schemas/field_catalogue.hpp"

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>

#include "embedded_files.hpp"
#include "passerelle/core/domain_error.hpp"

namespace passerelle::schemas {

namespace {

bool isKnownTreatment(const std::string& t) {
  static const std::set<std::string> known = {"drop",
                                              "pseudonymise",
                                              "keep",
                                              "generalise:annee",
                                              "generalise:mois",
                                              "generalise:tranche_age_5",
                                              "generalise:departement"};
  return known.count(t) == 1;
}

}  // namespace

FieldCatalogue FieldCatalogue::parse(const std::string& json_text) {
  const auto doc = nlohmann::json::parse(json_text);
  FieldCatalogue catalogue;
  catalogue.version_ = doc.at("version").get<std::string>();
  std::set<std::string> seen;
  for (const auto& entry : doc.at("fields")) {
    const auto path = entry.at("path").get<std::string>();
    const auto category = core::parseFieldCategory(entry.at("category").get<std::string>());
    const auto treatment = entry.at("export").get<std::string>();
    if (!category)
      throw core::DomainError(core::ErrorKind::configuration,
                              "field catalogue: unknown category at " + path);
    const auto slash = path.find('/', 1);
    if (path.empty() || path[0] != '/' ||
        !core::parseSection(path.substr(1, slash == std::string::npos ? slash : slash - 1)))
      throw core::DomainError(core::ErrorKind::configuration,
                              "field catalogue: path outside any section: " + path);
    if (!isKnownTreatment(treatment))
      throw core::DomainError(core::ErrorKind::configuration,
                              "field catalogue: unknown export treatment at " + path);
    if (!seen.insert(path).second)
      throw core::DomainError(core::ErrorKind::configuration,
                              "field catalogue: duplicate path " + path);
    catalogue.index_.emplace(path, catalogue.fields_.size());
    for (auto slash_at = path.find('/', 1); slash_at != std::string::npos;
         slash_at = path.find('/', slash_at + 1))
      catalogue.containers_.insert(path.substr(0, slash_at));
    catalogue.fields_.push_back({core::FieldPath(path), *category, treatment,
                                 entry.at("label").get<std::string>(),
                                 entry.at("description").get<std::string>()});
  }
  for (const auto& [path, i] : catalogue.index_) catalogue.path_order_.push_back(i);
  return catalogue;
}

const FieldCatalogue& FieldCatalogue::builtin() {
  static const FieldCatalogue catalogue = parse(detail::embeddedFile("fields.json"));
  return catalogue;
}

core::Section FieldCatalogue::sectionOf(const core::FieldPath& path) {
  const auto& p = path.str();
  const auto end = p.find('/', 1);
  const auto section = core::parseSection(p.substr(1, end == std::string::npos ? end : end - 1));
  if (!section) throw std::logic_error("catalogue path outside any section: " + p);
  return *section;
}

const FieldEntry* FieldCatalogue::find(std::string_view path) const {
  const auto it = index_.find(path);
  return it == index_.end() ? nullptr : &fields_[it->second];
}

}  // namespace passerelle::schemas
