#include "passerelle/schemas/schema_set.hpp"

#include <map>
#include <stdexcept>

#include "embedded_files.hpp"

namespace passerelle::schemas {

namespace detail {
const std::string& embeddedFile(const std::string& name) {
  auto it = embeddedFiles().find(name);
  if (it == embeddedFiles().end()) throw std::logic_error("data file not embedded: " + name);
  return it->second;
}
}  // namespace detail

const nlohmann::json& sectionSchema(core::Section section) {
  static const std::map<core::Section, nlohmann::json> schemas = [] {
    std::map<core::Section, nlohmann::json> all;
    for (auto s : core::allSections())
      all[s] = nlohmann::json::parse(
          detail::embeddedFile(std::string(core::toString(s)) + ".schema.json"));
    return all;
  }();
  return schemas.at(section);
}

namespace {
void collectLeaves(const nlohmann::json& schema, const std::string& prefix,
                   std::vector<std::string>& out) {
  const auto type = schema.value("type", "");
  if (type == "object") {
    for (const auto& [name, sub] : schema.at("properties").items())
      collectLeaves(sub, prefix + "/" + name, out);
  } else if (type == "array" && schema.at("items").value("type", "") == "object") {
    collectLeaves(schema.at("items"), prefix + "/*", out);
  } else {
    out.push_back(prefix);
  }
}
}  // namespace

std::vector<std::string> schemaLeafPaths() {
  std::vector<std::string> out;
  for (auto s : core::allSections()) collectLeaves(sectionSchema(s), core::pointerOf(s), out);
  return out;
}

}  // namespace passerelle::schemas
