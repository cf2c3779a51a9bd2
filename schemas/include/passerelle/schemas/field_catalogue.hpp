#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "passerelle/core/ids.hpp"

namespace passerelle::schemas {

// GDPR category of a field (DESIGN §3).
enum class FieldCategory { identifiant_direct, quasi_identifiant, sensible, ordinaire };

std::optional<FieldCategory> parseFieldCategory(std::string_view name);
std::string_view toString(FieldCategory category);

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
  // The catalogue embedded in the build. Throws std::runtime_error, naming the entry, if the
  // shipped file is inconsistent (unknown category or treatment, duplicate path).
  static const FieldCatalogue& builtin();

  // Parses a catalogue document; same checks as builtin().
  static FieldCatalogue parse(const std::string& json_text);

  const std::string& version() const { return version_; }
  const std::vector<FieldEntry>& fields() const { return fields_; }

  // The entry of `path`, or nullptr.
  const FieldEntry* find(std::string_view path) const;

 private:
  std::string version_;
  std::vector<FieldEntry> fields_;
};

}  // namespace passerelle::schemas
