// A sharing policy directory or a partner registry as an operator edits them (issue 21, §5):
// the input is split into files at lines "=== NAME", each parsed as the gateway loads a policy
// directory (policy.json and one file per partner kind); a single document is also read as the
// partner registry. A bad file is a PolicyError (or a registry's `configuration` error) naming
// it; nothing else.
#include <cstddef>
#include <cstdint>

#include "documents.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/policies/policy_set.hpp"
#include "passerelle/schemas/field_catalogue.hpp"

using namespace passerelle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const auto files = fuzz::splitFiles(text, "policy.json");
  try {
    (void)policies::PolicySet::parse(files, schemas::FieldCatalogue::builtin());
  } catch (const policies::PolicyError&) {
  }
  const auto document = nlohmann::json::parse(text, nullptr, false);
  if (!document.is_discarded()) {
    try {
      (void)policies::PartnerRegistry::parse(document, "fuzz");
    } catch (const core::DomainError& e) {  // the registry names the file and the entry
      if (e.kind() != core::ErrorKind::configuration) __builtin_trap();
    }
  }
  return 0;
}
