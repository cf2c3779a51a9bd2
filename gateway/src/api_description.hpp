#pragma once

#include <nlohmann/json.hpp>

namespace passerelle::gateway {

// The API's OpenAPI 3.1 description as served (GET /v1/openapi.json): docs/openapi.json,
// embedded at build time, with each section schema it refers to in schemas/dui/ put in its
// place, so that the document stands alone and the schemas have one source. Built once;
// thread-safe.
const nlohmann::json& apiDescription();

}  // namespace passerelle::gateway
