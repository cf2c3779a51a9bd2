#include "passerelle/schemas/section_validator.hpp"

#include <array>
#include <functional>
#include <string_view>
#include <utility>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

#include "passerelle/schemas/nir.hpp"
#include "passerelle/schemas/schema_set.hpp"

namespace passerelle::schemas {

struct SectionValidator::Compiled {
  valijson::Schema schema;
};

namespace {

// valijson describes errors in prose; these prefixes name the JSON Schema keyword broken.
constexpr std::array<std::pair<std::string_view, std::string_view>, 18> kRules = {{
    {"Missing required property", "required"},
    {"Object contains a property that could not be validated", "additionalProperties"},
    {"Value type not permitted", "type"},
    {"Failed to match against any enum values", "enum"},
    {"Failed to match regex", "pattern"},
    {"String should be a valid", "format"},
    {"String should be no more than", "maxLength"},
    {"String should be no fewer than", "minLength"},
    {"Array should contain no more than", "maxItems"},
    {"Array should contain no fewer than", "minItems"},
    {"Expected number less than or equal", "maximum"},
    {"Expected number less than", "exclusiveMaximum"},
    {"Expected number greater than or equal", "minimum"},
    {"Expected number greater than", "exclusiveMinimum"},
    {"Object should have no more than", "maxProperties"},
    {"Object should have no fewer than", "minProperties"},
    {"Failed to match expected value set by 'const'", "const"},
    {"Elements at indexes", "uniqueItems"},
}};

// Wrapper errors restate a nested error one level up; only the nested one is useful.
bool isSummary(std::string_view description) {
  return description.starts_with("Failed to validate against schema associated with") ||
         description.starts_with("Failed to validate item #") ||
         description.starts_with("Failed to validate against additional properties schema");
}

std::string escapePointerToken(std::string_view token) {
  std::string out;
  for (char c : token) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

// valijson's context is {"<root>", "[name]", "[0]", ...}.
std::string pointerOf(const std::vector<std::string>& context) {
  std::string pointer;
  for (const auto& part : context) {
    if (part == "<root>") continue;
    std::string_view token(part);
    if (token.size() >= 2 && token.front() == '[' && token.back() == ']')
      token = token.substr(1, token.size() - 2);
    pointer += "/" + escapePointerToken(token);
  }
  return pointer;
}

// For "required" and "additionalProperties", valijson reports the parent object; the property
// it names (the last quoted name of the message) is where the partner must look.
std::string quotedName(std::string_view description) {
  const auto close = description.rfind('\'');
  if (close == std::string_view::npos || close == 0) return {};
  const auto open = description.rfind('\'', close - 1);
  if (open == std::string_view::npos) return {};
  return std::string(description.substr(open + 1, close - open - 1));
}

core::FieldError toFieldError(const valijson::ValidationResults::Error& error) {
  std::string rule = "schema";
  for (const auto& [prefix, keyword] : kRules)
    if (std::string_view(error.description).starts_with(prefix)) {
      rule = keyword;
      break;
    }
  std::string pointer = pointerOf(error.context);
  if (rule == "required" || rule == "additionalProperties") {
    const auto name = quotedName(error.description);
    if (!name.empty()) pointer += "/" + escapePointerToken(name);
  }
  return {pointer, rule, error.description};
}

}  // namespace

SectionValidator::SectionValidator() {
  valijson::SchemaParser parser;
  for (auto section : core::allSections()) {
    auto compiled = std::make_unique<Compiled>();
    valijson::adapters::NlohmannJsonAdapter adapter(sectionSchema(section));
    parser.populateSchema(adapter, compiled->schema);
    compiled_.emplace(section, std::move(compiled));
  }
}

SectionValidator::~SectionValidator() = default;

namespace {

// Valijson as Debian ships it casts a value to a string for a `format` check (date, e-mail) even
// when the value is not one, and throws std::runtime_error: a date sent as an array made a 500.
// Finds the value that does it: the first node that is not a string whose replacement by one
// lets validation run. Only on that rare path; documents are a few hundred nodes at most.
std::string nonStringUnderFormat(const std::function<void(const nlohmann::json&)>& check,
                                 const nlohmann::json& document) {
  std::vector<nlohmann::json::json_pointer> nodes;
  const std::function<void(const nlohmann::json&, const nlohmann::json::json_pointer&)> collect =
      [&](const nlohmann::json& node, const nlohmann::json::json_pointer& at) {
        if (!node.is_string() && !at.empty()) nodes.push_back(at);
        if (node.is_object())
          for (const auto& [key, value] : node.items()) collect(value, at / key);
        if (node.is_array())
          for (std::size_t i = 0; i < node.size(); ++i) collect(node[i], at / i);
      };
  collect(document, nlohmann::json::json_pointer());
  for (const auto& at : nodes) {
    auto copy = document;
    copy[at] = "";
    try {
      check(copy);
      return at.to_string();
    } catch (const std::runtime_error&) {
      // not this one
    }
  }
  return "";
}

}  // namespace

std::vector<core::FieldError> SectionValidator::validate(core::Section section,
                                                         const nlohmann::json& document) const {
  // One validator per thread: it keeps the `pattern` regexes it compiled, which would otherwise
  // be compiled again for every document (a tenth of a write's time).
  thread_local valijson::Validator validator;
  const auto& schema = compiled_.at(section)->schema;
  std::vector<core::FieldError> errors;
  const auto run = [&](const nlohmann::json& doc) {
    valijson::ValidationResults results;
    valijson::adapters::NlohmannJsonAdapter target(doc);
    errors.clear();
    if (!validator.validate(schema, target, &results)) {
      valijson::ValidationResults::Error error;
      while (results.popError(error))
        if (!isSummary(error.description)) errors.push_back(toFieldError(error));
    }
  };
  try {
    run(document);
  } catch (const std::runtime_error&) {
    const auto pointer = nonStringUnderFormat(run, document);
    return {{pointer, "type", "must be a string (a date, an e-mail address...)"}};
  }
  if (section == core::Section::identite && errors.empty() && document.contains("nir")) {
    const auto check = checkNir(document.at("nir").get<std::string>());
    if (!check.valid) errors.push_back({"/nir", "nirKey", check.problem});
  }
  return errors;
}

}  // namespace passerelle::schemas
