// Export benchmark (issue #6): throughput (dossiers per second) and peak memory of the real
// `passerelle export run` (profile annexe-e) and `passerelle indicators` over stores of N
// synthetic dossiers, each command in its own process so that its peak resident memory is its
// own. Reports figures; asserts nothing. Run through bench/export.sh.
//   passerelle_export_bench PASSERELLE_BINARY WORK_DIR N [N...]
// A store already loaded with N dossiers under WORK_DIR/N is reused (loading a million takes a
// while); one holding another number is refused.
#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/demo/demo.hpp"
#include "passerelle/dossiers/identifiers.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/store/sqlite_store.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"

extern char** environ;

namespace {

using namespace passerelle;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

double secondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Writes every synthetic person straight into the store, one transaction per dossier with all
// its sections (as a partner's first push would), bypassing the HTTP layer and the policy: this
// prepares data, it is not what is measured.
void load(const gateway::GatewayConfig& config, std::size_t count) {
  const auto keys = app::openKeyStore(config);
  auto stores = store::openSqliteStores({config.sqlite_file, 1}, keys);
  const auto present = static_cast<std::size_t>(stores.dossiers->dossierCount());
  if (present == count) {
    std::printf("reusing the store of %zu dossiers in %s\n", count, config.sqlite_file.c_str());
    return;
  }
  if (present != 0)
    throw std::runtime_error(config.sqlite_file.string() + " holds " + std::to_string(present) +
                             " dossiers, not " + std::to_string(count) + "; delete it");
  const auto started = Clock::now();
  std::size_t without_nir = 0;
  testdata::forEachSyntheticDossier(count, [&](std::size_t i, const json& person) {
    std::vector<std::pair<core::Section, std::string>> sections;
    std::vector<core::Identifier> identifiers;
    for (const auto& [name, document] : person.items()) {
      const auto section = core::parseSection(name);
      if (!section) continue;
      sections.emplace_back(*section, document.dump());
      for (auto& id : dossiers::identifiersOf(*section, document))
        identifiers.push_back(std::move(id));
    }
    std::array<std::uint8_t, 16> raw{};
    const auto bytes = crypto::randomBytes(16);
    std::copy(bytes.begin(), bytes.end(), raw.begin());
    const auto id = core::DossierId::fromRandom(raw);
    const store::WriteContext context{core::PartnerId("departement"), "bench"};
    try {
      stores.dossiers->createDossier(id, sections, identifiers, context);
    } catch (const core::DomainError&) {
      // Beyond 999,000 people a synthetic NIR may repeat: that person comes in without it.
      std::erase_if(identifiers, [](const auto& x) { return x.kind == core::IdentifierKind::nir; });
      stores.dossiers->createDossier(id, sections, identifiers, context);
      ++without_nir;
    }
    if ((i + 1) % 100000 == 0)
      std::printf("  loaded %zu dossiers (%.0f/s)\n", i + 1,
                  static_cast<double>(i + 1) / secondsSince(started));
  });
  std::printf("loaded %zu dossiers in %.0f s (%.0f/s; %zu without a NIR, repeated)\n", count,
              secondsSince(started), static_cast<double>(count) / secondsSince(started),
              without_nir);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: passerelle_export_bench PASSERELLE_BINARY WORK_DIR N [N...]\n";
    return 2;
  }
  const std::string binary = fs::absolute(argv[1]).string();
  const fs::path work = fs::absolute(argv[2]);
  std::vector<std::size_t> sizes;
  for (int i = 3; i < argc; ++i) sizes.push_back(std::stoul(argv[i]));

  std::vector<std::string> rows;
  for (const auto n : sizes) {
    const auto dir = work / std::to_string(n);
    const auto config = demo::prepareDemoDirectory({dir, 0, 0});
    load(config, n);
    const auto config_file = (dir / "passerelle.json").string();
    const auto out = dir / ("export-" + std::to_string(::time(nullptr)));
    const auto exported =
        testing::measure({binary, "export", "run", "--config", config_file, "--as", "evaluateur",
                          "--study", "etude-demo", "--profile", "annexe-e", "--out", out.string(),
                          "--reference-date", "2026-06-30"},
                         dir / "export.log");
    const auto manifest = json::parse(std::ifstream(out / "manifest.json"))["manifest"];
    std::uint64_t sealed_bytes = 0;
    for (const auto& f : manifest["files"]) sealed_bytes += f["bytes"].get<std::uint64_t>();
    const auto indicators =
        testing::measure({binary, "indicators", "--config", config_file, "--from", "2025-01-01",
                          "--to", "2026-06-30", "--as-of", "2026-06-30"},
                         dir / "indicators.log");
    char row[512];
    std::snprintf(row, sizeof row,
                  "| %zu | %.1f | %.0f | %.0f | %zu | %zu | %zu | %.0f | %.1f | %.0f | %.0f |", n,
                  exported.seconds, static_cast<double>(n) / exported.seconds, exported.peak_mb,
                  manifest["rows"].get<std::size_t>(), manifest["suppressed"].get<std::size_t>(),
                  manifest["smallest_class"].get<std::size_t>(),
                  static_cast<double>(sealed_bytes) / 1e6, indicators.seconds,
                  static_cast<double>(n) / indicators.seconds, indicators.peak_mb);
    rows.emplace_back(row);
    std::printf("%s\n", row);
    fs::remove_all(out);
  }
  std::printf(
      "\n| dossiers | export s | export dossiers/s | export peak MB | rows | suppressed | "
      "smallest class | files MB | indicators s | indicators dossiers/s | indicators peak MB "
      "|\n|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& r : rows) std::printf("%s\n", r.c_str());
  return 0;
}
