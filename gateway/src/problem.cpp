#include "passerelle/gateway/problem.hpp"

namespace passerelle::gateway {

int httpStatus(ProblemType type) {
  return app::describe(type).status;
}
std::string typeUri(ProblemType type) {
  return "urn:passerelle:problem:" + std::string(app::describe(type).name);
}
std::string title(ProblemType type) {
  return std::string(app::describe(type).title);
}

Problem problemOf(const core::DomainError& error) {
  const auto type = app::problemTypeOf(error.kind());
  // Field errors say where a document broke a rule, or which fields a policy refused.
  const bool fields = type == ProblemType::validation_failed || type == ProblemType::forbidden ||
                      type == ProblemType::conflict;
  return {type, error.what(), fields ? error.fieldErrors() : std::vector<core::FieldError>{},
          error.members()};
}

nlohmann::json problemBody(const Problem& problem, const std::string& request_id) {
  nlohmann::json body = {{"type", typeUri(problem.type)},
                         {"title", title(problem.type)},
                         {"status", httpStatus(problem.type)},
                         {"detail", problem.detail},
                         {"instance", "urn:passerelle:request:" + request_id}};
  for (const auto& [key, value] : problem.members) body[key] = value;
  if (!problem.errors.empty()) {
    auto& errors = body["errors"] = nlohmann::json::array();
    for (const auto& e : problem.errors)
      errors.push_back({{"pointer", e.pointer}, {"rule", e.rule}, {"detail", e.message}});
  }
  return body;
}

}  // namespace passerelle::gateway
