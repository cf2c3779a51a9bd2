#include "passerelle/connectors/dossier_walk.hpp"

namespace passerelle::connectors {

void forEachDossier(
    const store::DossierStore& store,
    const std::function<void(const core::DossierId&,
                             const std::map<core::Section, nlohmann::json>&)>& visit,
    const std::set<core::Section>& only) {
  constexpr std::size_t kPage = 500;
  std::optional<core::DossierId> after;
  while (true) {
    const auto ids = store.dossierIdsAfter(after, kPage);
    for (const auto& id : ids) {
      std::map<core::Section, nlohmann::json> sections;
      for (const auto& s : store.currentSections(id, only))
        sections[s.info.section] = nlohmann::json::parse(s.content);
      visit(id, sections);
    }
    if (ids.size() < kPage) return;
    after = ids.back();
  }
}

}  // namespace passerelle::connectors
