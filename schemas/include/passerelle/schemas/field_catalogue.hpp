#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "passerelle/core/field_category.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"

namespace passerelle::schemas {

using core::FieldCategory;

// One leaf field of the dossier: what it is, how sensitive, and what a pseudonymised export
// does with it ("drop", "pseudonymise", "generalise:<rule>", "keep").
struct FieldEntry {
  core::FieldPath path;
  FieldCategory category;
  std::string export_treatment;
  std::string label;        // French, for the data dictionary and the DPO
  std::string description;  // French, one line
};

// The field catalogue shipped in schemas/fields.json. Immutable once loaded; safe to share
// across threads.
class FieldCatalogue {
 public:
  // The catalogue embedded in the build. Throws DomainError(configuration), naming the entry, if
  // the shipped file is inconsistent (unknown category or treatment, duplicate path).
  static const FieldCatalogue& builtin();

  // Parses a catalogue document; same checks as builtin().
  static FieldCatalogue parse(const std::string& json_text);

  const std::string& version() const { return version_; }
  const std::vector<FieldEntry>& fields() const { return fields_; }
  // Indexes into fields(), in path order.
  const std::vector<std::size_t>& pathOrder() const { return path_order_; }

  // The entry of `path`, or nullptr.
  const FieldEntry* find(std::string_view path) const;

  // Whether some field lies under `path` ("/diagnostic/freins" -> true): a container to walk.
  bool hasFieldsUnder(std::string_view path) const { return containers_.count(path) == 1; }

  // The section a catalogue path belongs to ("/diagnostic/freins/sante" -> diagnostic).
  static core::Section sectionOf(const core::FieldPath& path);

 private:
  std::string version_;
  std::vector<FieldEntry> fields_;
  std::vector<std::size_t> path_order_;
  // Every read of a dossier looks fields up: indexes rather than scans.
  std::map<std::string, std::size_t, std::less<>> index_;
  std::set<std::string, std::less<>> containers_;
};

}  // namespace passerelle::schemas
