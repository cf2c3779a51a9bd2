#include "api_description.hpp"

#include <map>
#include <stdexcept>
#include <string>

#include "passerelle/core/section.hpp"
#include "passerelle/schemas/schema_set.hpp"

namespace passerelle::gateway {

namespace detail {
// docs/openapi.json, embedded at build time (cmake/EmbedFiles.cmake).
const std::map<std::string, std::string>& embeddedApiDescription();
}  // namespace detail

namespace {

constexpr std::string_view kPrefix = "../schemas/dui/";
constexpr std::string_view kSuffix = ".schema.json";

nlohmann::json build() {
  const auto& files = detail::embeddedApiDescription();
  const auto it = files.find("openapi.json");
  if (it == files.end()) throw std::logic_error("docs/openapi.json was not embedded");
  auto doc = nlohmann::json::parse(it->second);
  for (auto& [name, schema] : doc["components"]["schemas"].items()) {
    if (!schema.contains("$ref")) continue;
    const auto ref = schema["$ref"].get<std::string>();
    if (!ref.starts_with(kPrefix) || !ref.ends_with(kSuffix)) continue;
    const auto section_name =
        ref.substr(kPrefix.size(), ref.size() - kPrefix.size() - kSuffix.size());
    const auto section = core::parseSection(section_name);
    if (!section) throw std::logic_error("docs/openapi.json refers to an unknown section schema");
    auto inlined = schemas::sectionSchema(*section);
    // The schemas keep to keywords that draft-07 and OpenAPI 3.1's dialect read alike.
    inlined.erase("$schema");
    inlined["$comment"] = "schemas/dui/" + section_name + ".schema.json";
    schema = std::move(inlined);
  }
  return doc;
}

}  // namespace

const nlohmann::json& apiDescription() {
  static const nlohmann::json doc = build();
  return doc;
}

}  // namespace passerelle::gateway
