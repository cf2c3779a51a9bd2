#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <vector>

namespace passerelle::testdata {

// Synthetic people for the demo and the tests: obviously fake names (plants and animals), valid
// NIR keys, and every section of the dossier exercised with varied, plausible pathways. Each
// element is a body for POST /v1/dossiers (section name -> section document). Deterministic for
// a given seed; person i has a NIR unique among the first 999,000 and a CAF matricule and France
// Travail id unique among the `count`.
std::vector<nlohmann::json> syntheticDossiers(std::size_t count, std::uint32_t seed = 2026);

// The same people, one at a time (constant memory: for benchmarks of a million dossiers).
void forEachSyntheticDossier(std::size_t count,
                             const std::function<void(std::size_t, const nlohmann::json&)>& use,
                             std::uint32_t seed = 2026);

// The part of a synthetic person that the CAF pushes (what its RSA flux carries and the default
// policy lets it write): identite, its own identifier, contact, foyer, droits.
nlohmann::json cafPushOf(const nlohmann::json& person);

// Writes a monthly CAF/MSA RSA flux of `households` synthetic households (one in three a
// couple), in windows-1252, valid against the CNAF schema, streamed: for the large-import test
// and the import benchmark. Returns the number of persons.
std::size_t writeSyntheticCafFlux(const std::filesystem::path& file, std::size_t households,
                                  std::uint32_t seed = 2026);

}  // namespace passerelle::testdata
