#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"

namespace passerelle::dossiers {

// Reads the small JSON bodies of the relationship and consent endpoints, collecting every
// mistake with its JSON pointer, so that one 422 names them all.
class BodyReader {
 public:
  explicit BodyReader(const nlohmann::json& body) : body_(body) {
    if (!body.is_object()) errors_.push_back({"", "type", "expected a JSON object"});
  }

  std::optional<std::string> text(const std::string& key, bool required, std::size_t max = 500) {
    if (!body_.is_object() || !body_.contains(key)) {
      if (required) errors_.push_back({"/" + key, "required", "missing"});
      return std::nullopt;
    }
    const auto& v = body_[key];
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > max) {
      errors_.push_back({"/" + key, "type",
                         "a non-empty string of at most " + std::to_string(max) + " characters"});
      return std::nullopt;
    }
    return v.get<std::string>();
  }

  std::optional<core::UtcTime> time(const std::string& key, bool required) {
    auto t = text(key, required, 40);
    if (!t) return std::nullopt;
    auto parsed = core::parseUtc(*t);
    if (!parsed)
      errors_.push_back(
          {"/" + key, "format", "a date (YYYY-MM-DD) or an ISO 8601 date-time with zone"});
    return parsed;
  }

  std::vector<std::string> texts(const std::string& key) {
    std::vector<std::string> out;
    if (!body_.is_object() || !body_.contains(key)) return out;
    if (!body_[key].is_array()) {
      errors_.push_back({"/" + key, "type", "a list of names"});
      return out;
    }
    std::size_t i = 0;
    for (const auto& v : body_[key]) {
      if (v.is_string())
        out.push_back(v.get<std::string>());
      else
        errors_.push_back({"/" + key + "/" + std::to_string(i), "type", "a name"});
      ++i;
    }
    return out;
  }

  void onlyKeys(const std::vector<std::string>& allowed) {
    if (!body_.is_object()) return;
    for (const auto& [key, value] : body_.items())
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end())
        errors_.push_back({"/" + key, "additionalProperties", "not a known property"});
  }

  void error(const std::string& pointer, const std::string& rule, const std::string& message) {
    errors_.push_back({pointer, rule, message});
  }
  const nlohmann::json& body() const { return body_; }

  // Throws validation_failed with every error collected, if any.
  void finish(const std::string& what) {
    if (!errors_.empty())
      throw core::DomainError(core::ErrorKind::validation_failed, what + " does not validate",
                              errors_);
  }

 private:
  const nlohmann::json& body_;
  std::vector<core::FieldError> errors_;
};

}  // namespace passerelle::dossiers
