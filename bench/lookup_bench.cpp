// Whether a lookup's time tells an identifier of a dossier the caller may not see from one of
// nobody (issue 21, §4): France Travail looks up, alternately, the NIR of a dossier it is not
// related to and a NIR nobody holds, through the real services over a real SQLite file; both answer
// not_found. Reports the median and the mean of each and their difference; asserts nothing.
// Run through bench/lookup.sh.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <numeric>
#include <vector>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "service_harness.hpp"

namespace {

using namespace passerelle;
using Clock = std::chrono::steady_clock;

double microsOf(dossiers::DossierService& service, const dossiers::Caller& caller,
                const core::Identifier& id) {
  const auto start = Clock::now();
  try {
    (void)service.lookup(caller, id);
  } catch (const core::DomainError&) {  // not_found, as expected for both
  }
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count();
}

void report(const char* name, std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
  std::printf("| %s | %.1f | %.1f | %.1f |\n", name, v[v.size() / 2], mean, v[v.size() * 99 / 100]);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t pairs = argc > 1 ? std::stoul(argv[1]) : 5000;
  testing::ServiceHarness h;
  const auto people = testdata::syntheticDossiers(3);
  // A dossier France Travail is not related to: opened by the CAF.
  h.createAsCaf(1);
  const auto caf = h.as("france-travail", core::Purpose::accompagnement);
  const core::Identifier unseen{core::IdentifierKind::nir,
                                people[1]["identite"]["nir"].get<std::string>().substr(0, 13)};
  const core::Identifier nobody{core::IdentifierKind::nir,
                                people[2]["identite"]["nir"].get<std::string>().substr(0, 13)};
  for (int i = 0; i < 200; ++i) microsOf(h.dossiers, caf, i % 2 ? unseen : nobody);  // warm up
  std::vector<double> a, b;
  for (std::size_t i = 0; i < pairs; ++i) {
    a.push_back(microsOf(h.dossiers, caf, unseen));
    b.push_back(microsOf(h.dossiers, caf, nobody));
  }
  std::printf("%zu alternating pairs, µs per lookup (France Travail, NIR)\n\n", pairs);
  std::printf("| NIR of | median | mean | p99 |\n|---|---|---|---|\n");
  report("a dossier the caller may not see", a);
  report("nobody", b);
  std::vector<double> diff(pairs);
  for (std::size_t i = 0; i < pairs; ++i) diff[i] = a[i] - b[i];
  std::sort(diff.begin(), diff.end());
  std::printf("\nMedian of the pairwise differences: %.2f µs\n", diff[pairs / 2]);
}
