#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::connectors {

// Calls `visit` with every dossier's current sections (parsed), a page of ids at a time: memory
// stays bounded whatever the number of dossiers. A dossier erased during the walk reads as no
// sections. With `only`, just those sections are decrypted and given.
void forEachDossier(
    const store::DossierStore& store,
    const std::function<void(const core::DossierId&,
                             const std::map<core::Section, nlohmann::json>&)>& visit,
    const std::set<core::Section>& only = {});

}  // namespace passerelle::connectors
