#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "passerelle/core/section.hpp"

namespace passerelle::schemas {

// The JSON Schema (draft-07) document of a section, as shipped in schemas/dui/.
const nlohmann::json& sectionSchema(core::Section section);

// Every leaf field the section schemas define, as catalogue paths ("/section/a/*/b"): the
// leaves are the non-object values; arrays of objects contribute their items' leaves under "*".
std::vector<std::string> schemaLeafPaths();

}  // namespace passerelle::schemas
