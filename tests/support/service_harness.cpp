#include "service_harness.hpp"

#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace passerelle::testing {

namespace {

policies::PartnerRegistry testRegistry() {
  nlohmann::json list = nlohmann::json::array();
  int n = 0;
  for (auto [id, kind] :
       std::vector<std::pair<std::string, std::string>>{{"departement", "departement"},
                                                        {"caf", "caf"},
                                                        {"france-travail", "france_travail"},
                                                        {"mission-locale", "structure_referente"},
                                                        {"cap-emploi", "structure_referente"},
                                                        {"evaluateur", "evaluateur"},
                                                        {"dpo", "dpo"}}) {
    list.push_back({{"id", id},
                    {"name", id},
                    {"kind", kind},
                    {"certificate_sha256", {std::string(63, 'a') + std::to_string(n++)}}});
  }
  return policies::PartnerRegistry::parse({{"partners", list}}, "test registry");
}

}  // namespace

ServiceHarness::ServiceHarness()
    : keys(store::openKeyStore({dir / "test.db"}, crypto::MasterKeys::generate())),
      signer(keys->root().derive(crypto::KeyUse::signing)),
      registry(testRegistry()),
      policies(policies::PolicySet::builtin(schemas::FieldCatalogue::builtin())),
      stores(store::openSqliteStores({dir / "test.db", 2}, keys)),
      guard(policies, schemas::FieldCatalogue::builtin(), *stores.relationships, *stores.consents),
      relationships(*stores.relationships, *stores.dossiers, guard, registry),
      consents(*stores.consents, *stores.dossiers, guard, registry, signer),
      dossiers(*stores.dossiers, validator, guard, relationships) {}

const policies::Partner& ServiceHarness::partner(const std::string& id) const {
  const auto* p = registry.byId(core::PartnerId(id));
  if (p == nullptr) throw std::logic_error("no test partner " + id);
  return *p;
}

core::DossierId ServiceHarness::createAsCaf(std::size_t index) {
  const auto person = testdata::syntheticDossiers(index + 1)[index];
  return dossiers
      .createOrMatch(as("caf", core::Purpose::instruction_rsa), testdata::cafPushOf(person), "test")
      .id;
}

}  // namespace passerelle::testing
