// A section body as a partner sends it (issue 21, §5): untrusted JSON through the parser's
// limits, every section's schema, then the policy's read filter and write check, as the
// gateway runs them on a PUT and a GET.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/policies/engine.hpp"
#include "passerelle/policies/policy_set.hpp"
#include "passerelle/schemas/field_catalogue.hpp"
#include "passerelle/schemas/json_input.hpp"
#include "passerelle/schemas/section_validator.hpp"

using namespace passerelle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const schemas::SectionValidator validator;
  static const auto& catalogue = schemas::FieldCatalogue::builtin();
  static const auto policy = policies::PolicySet::builtin(catalogue);
  nlohmann::json body;
  try {
    body = schemas::parseUntrustedJson(std::string_view(reinterpret_cast<const char*>(data), size));
  } catch (const core::DomainError&) {
    return 0;  // refused with a 400: what must happen to most inputs
  }
  const auto now = core::nowUtc();
  for (const auto kind : {core::PartnerKind::departement, core::PartnerKind::structure_referente}) {
    const auto read =
        policies::decide(policy, catalogue,
                         {core::PartnerId("fuzz"), kind, core::Purpose::accompagnement,
                          policies::Access::read, true},
                         {}, now);
    const auto write =
        policies::decide(policy, catalogue,
                         {core::PartnerId("fuzz"), kind, core::Purpose::accompagnement,
                          policies::Access::write, true},
                         {}, now);
    if (!body.is_object()) continue;
    nlohmann::json sections = nlohmann::json::object();
    for (const auto& [name, document] : body.items()) {
      const auto section = core::parseSection(name);
      if (!section) continue;
      if (!validator.validate(*section, document).empty()) continue;
      (void)policies::forbiddenFields(write, catalogue, *section, document);
      sections[name] = document;
    }
    (void)policies::filterDossier(read, catalogue, sections);
  }
  return 0;
}
