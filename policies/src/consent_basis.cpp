#include "passerelle/policies/consent_basis.hpp"

#include <algorithm>

namespace passerelle::policies {

DeadConsentParts deadConsentParts(const PolicySet& policy, const schemas::FieldCatalogue& catalogue,
                                  core::PartnerKind grantee, core::Purpose purpose,
                                  const std::vector<core::Section>& sections,
                                  const std::vector<core::FieldCategory>& categories) {
  std::vector<bool> section_used(sections.size()), category_used(categories.size());
  bool any_rule = false;
  for (const auto& rule : policy.rules()) {
    if (rule.kind != grantee || !rule.consent_required ||
        std::find(rule.purposes.begin(), rule.purposes.end(), purpose) == rule.purposes.end())
      continue;
    any_rule = true;
    for (const auto& path : rule.fields) {
      const auto section = schemas::FieldCatalogue::sectionOf(path);
      const auto category = catalogue.find(path.str())->category;
      for (std::size_t i = 0; i < sections.size(); ++i)
        if (sections[i] == section) section_used[i] = true;
      for (std::size_t i = 0; i < categories.size(); ++i)
        if (categories[i] == category) category_used[i] = true;
    }
  }
  DeadConsentParts dead;
  dead.purpose = !any_rule;
  if (!any_rule) return dead;
  for (std::size_t i = 0; i < sections.size(); ++i)
    if (!section_used[i]) dead.sections.push_back(i);
  for (std::size_t i = 0; i < categories.size(); ++i)
    if (!category_used[i]) dead.categories.push_back(i);
  return dead;
}

}  // namespace passerelle::policies
