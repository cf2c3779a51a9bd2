#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "passerelle/policies/export_profile.hpp"
#include "passerelle/schemas/field_catalogue.hpp"

namespace passerelle::connectors {

// The data dictionary of an export, generated from its profile and the field catalogue: each
// column's name, French label, type of value, and the treatment applied (the rung the
// anonymisation chose for quasi-identifiers, given in `levels`, one per quasi-identifier), and
// the survey-contact file's columns if the export carries one.
nlohmann::ordered_json dataDictionary(const policies::ExportProfile& profile,
                                      const schemas::FieldCatalogue& catalogue,
                                      const std::vector<std::size_t>& levels,
                                      bool with_survey_contact = false);

// The same, as a Markdown document for people.
std::string dataDictionaryMarkdown(const nlohmann::ordered_json& dictionary);

}  // namespace passerelle::connectors
