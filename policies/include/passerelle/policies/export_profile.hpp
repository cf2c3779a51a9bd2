#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/ids.hpp"
#include "passerelle/policies/generalisation.hpp"
#include "passerelle/schemas/field_catalogue.hpp"

namespace passerelle::policies {

// What a column is to the anonymisation: a quasi-identifier counts in the equivalence classes
// (k-anonymity), a sensitive attribute must vary within each class (l-diversity).
enum class ColumnRole { ordinary, quasi_identifier, sensitive };

// One column of an export: a catalogue field, and its generalisation ladder (the first rung is
// always applied; a quasi-identifier may climb the others to reach k). A list column (an array
// of the dossier, such as the pathway's actions) has item columns instead.
struct ExportColumn {
  std::string name;
  core::FieldPath path{std::string()};
  ColumnRole role = ColumnRole::ordinary;
  std::vector<Generalisation> levels;
  std::vector<ExportColumn> items;
};

// An export profile (policies/exports/<id>.json): which fields leave, how generalised, and the
// anonymity an export must reach before anything leaves. Immutable once loaded.
struct ExportProfile {
  std::string id;
  std::string version;
  std::string title;
  std::size_t k = 11;
  std::optional<std::size_t> l;   // l-diversity of the sensitive columns, if asked
  double max_suppression = 0.05;  // share of rows the planner may suppress before generalising
  std::vector<ExportColumn> columns;
  // The columns of the survey-contact file an export of this profile may carry (identity and
  // contact, keyed by the same pseudonym); empty if the profile has none. Whose rows it holds
  // is the sharing policy's say (an Access::survey_contact rule, usually on consent).
  std::vector<ExportColumn> survey_contact;

  // Parses and checks a profile against the catalogue: every path known, no direct identifier
  // or dropped field, no rung less coarse than the catalogue's treatment or of the wrong kind.
  // Throws PolicyError naming `origin` and the column.
  static ExportProfile parse(const nlohmann::json& document,
                             const schemas::FieldCatalogue& catalogue, const std::string& origin);

  std::vector<const ExportColumn*> quasiIdentifiers() const;
  std::vector<const ExportColumn*> sensitive() const;
};

// The export profiles in force, by id.
class ExportProfiles {
 public:
  // The profiles shipped in policies/exports/ (annexe-e, indicateurs).
  static ExportProfiles builtin(const schemas::FieldCatalogue& catalogue);
  // Every *.json of a directory. Throws PolicyError naming the file.
  static ExportProfiles loadDirectory(const std::filesystem::path& dir,
                                      const schemas::FieldCatalogue& catalogue);

  const ExportProfile* find(const std::string& id) const;
  const std::map<std::string, ExportProfile>& all() const { return profiles_; }

 private:
  void add(ExportProfile profile, const std::string& origin);
  std::map<std::string, ExportProfile> profiles_;
};

}  // namespace passerelle::policies
