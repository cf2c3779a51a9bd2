#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/section.hpp"

namespace passerelle::schemas {

// Validates section documents against their JSON Schemas (valijson) and the checks a schema
// cannot express (the NIR's control key). Built once; validate() is safe from several threads.
class SectionValidator {
 public:
  SectionValidator();
  ~SectionValidator();
  SectionValidator(const SectionValidator&) = delete;
  SectionValidator& operator=(const SectionValidator&) = delete;

  // Every rule `document` breaks as a `section`, each with the JSON pointer of the offending
  // value inside the section document and the schema keyword broken. Empty when valid.
  std::vector<core::FieldError> validate(core::Section section,
                                         const nlohmann::json& document) const;

 private:
  struct Compiled;
  std::map<core::Section, std::unique_ptr<Compiled>> compiled_;
};

}  // namespace passerelle::schemas
