// In-memory cost of a dossier read, step by step (issue #8): the JSON parse of the stored
// sections, the policy decision, the filter and the response's serialisation, per dossier,
// without HTTP, SQLite or the audit log. Deterministic where bench/http.sh is not (the VM's
// neighbours move its figures by 15-20%): the figure to compare a change of these steps by.
// Reports figures; asserts nothing. Run through bench/policy.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "passerelle/policies/engine.hpp"
#include "passerelle/policies/policy_set.hpp"
#include "passerelle/schemas/field_catalogue.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace {

using namespace passerelle;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

// The best of `rounds` passes over all dossiers, in µs per dossier: the least disturbed pass.
template <class Step>
double bestMicros(int rounds, std::size_t dossiers, Step step) {
  double best = 1e300;
  for (int r = 0; r < rounds; ++r) {
    const auto start = Clock::now();
    step();
    const std::chrono::duration<double, std::micro> took = Clock::now() - start;
    best = std::min(best, took.count() / static_cast<double>(dossiers));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t count = argc > 1 ? std::stoul(argv[1]) : 1000;
  const int rounds = 7;
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  const auto policy = policies::PolicySet::builtin(catalogue);
  const core::UtcTime now = "2026-11-23T12:00:00.000Z";

  // Each dossier as the store hands it over: one serialised document per section.
  std::vector<std::vector<std::pair<std::string, std::string>>> stored;
  for (const auto& person : testdata::syntheticDossiers(count)) {
    auto& sections = stored.emplace_back();
    for (const auto& [name, document] : person.items())
      if (core::parseSection(name)) sections.emplace_back(name, document.dump());
  }

  std::printf("%zu synthetic dossiers, default policy, best of %d passes, µs per dossier\n\n",
              count, rounds);
  std::printf(
      "| reader (kind, purpose) | parse | decide | filter | dump | total | fields kept | "
      "withheld | response bytes |\n|---|---|---|---|---|---|---|---|---|\n");
  const std::pair<core::PartnerKind, core::Purpose> readers[] = {
      {core::PartnerKind::departement, core::Purpose::accompagnement},
      {core::PartnerKind::france_travail, core::Purpose::accompagnement},
  };
  for (const auto& [kind, purpose] : readers) {
    const policies::AccessSubject subject{core::PartnerId("bench"), kind, purpose,
                                          policies::Access::read, true};
    std::vector<json> parsed(count);
    const double parse = bestMicros(rounds, count, [&] {
      for (std::size_t i = 0; i < count; ++i) {
        parsed[i] = json::object();
        for (const auto& [name, text] : stored[i]) parsed[i][name] = json::parse(text);
      }
    });
    std::vector<policies::Decision> decisions;
    decisions.reserve(count);
    const double decide = bestMicros(rounds, count, [&] {
      decisions.clear();
      for (std::size_t i = 0; i < count; ++i)
        decisions.push_back(policies::decide(policy, catalogue, subject, {}, now));
    });
    // The filter consumes its input: each pass works on a fresh copy, made outside the timing.
    std::vector<policies::FilteredDossier> filtered(count);
    double filter = 1e300;
    for (int r = 0; r < rounds; ++r) {
      std::vector<json> inputs = parsed;
      const auto start = Clock::now();
      for (std::size_t i = 0; i < count; ++i)
        filtered[i] = policies::filterDossier(decisions[i], catalogue, std::move(inputs[i]));
      const std::chrono::duration<double, std::micro> took = Clock::now() - start;
      filter = std::min(filter, took.count() / static_cast<double>(count));
    }
    std::size_t bytes = 0;
    const double dump = bestMicros(rounds, count, [&] {
      bytes = 0;
      for (const auto& f : filtered) bytes += f.sections.dump().size();
    });
    std::size_t kept = 0, withheld = 0;
    for (const auto& f : filtered) {
      kept += f.disclosed.size();
      withheld += f.withheld.size();
    }
    std::printf("| %s, %s | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %.1f | %zu |\n",
                std::string(core::toString(kind)).c_str(),
                std::string(core::toString(purpose)).c_str(), parse, decide, filter, dump,
                parse + decide + filter + dump, static_cast<double>(kept) / count,
                static_cast<double>(withheld) / count, bytes / count);
  }
}
