// CAF flux import benchmark (issue #7): throughput (households and persons per second) and peak
// memory of the real `passerelle import caf-rsa-xml` on generated monthly fluxes of N households,
// into a fresh store, then the same file again (every person matched, nothing written). Each
// run in its own process. Reports figures; asserts nothing. Run through bench/import.sh.
//   passerelle_import_bench PASSERELLE_BINARY WORK_DIR N [N...]
#include <cstdio>
#include <fstream>
#include <iostream>

#include "child_process.hpp"
#include "passerelle/demo/demo.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace {

using namespace passerelle;
using nlohmann::json;
namespace fs = std::filesystem;

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::cerr << "usage: passerelle_import_bench PASSERELLE_BINARY WORK_DIR N [N...]\n";
    return 2;
  }
  const std::string binary = fs::absolute(argv[1]).string();
  const fs::path work = fs::absolute(argv[2]);
  std::vector<std::string> rows;
  for (int i = 3; i < argc; ++i) {
    const std::size_t n = std::stoul(argv[i]);
    const auto dir = work / std::to_string(n);
    fs::remove_all(dir);
    demo::prepareDemoDirectory({dir, 0, 0});
    const auto flux = dir / "flux.xml";
    const auto persons = testdata::writeSyntheticCafFlux(flux, n);
    const auto config = (dir / "passerelle.json").string();
    const auto run = [&](const std::string& name) {
      const auto report = dir / (name + ".json");
      const auto r = testing::measure({binary, "import", "caf-rsa-xml", flux.string(), "--config",
                                       config, "--as", "caf", "--report", report.string()},
                                      dir / (name + ".log"), {0, 3});
      return std::make_pair(r, json::parse(std::ifstream(report)));
    };
    const auto [first, first_report] = run("first");
    const auto [again, again_report] = run("again");
    char row[512];
    std::snprintf(
        row, sizeof row,
        "| %zu | %zu | %.1f | %.0f | %.0f | %.0f | %zu / %zu | %.1f | %.0f | %.0f | %zu |", n,
        persons, first.seconds, static_cast<double>(n) / first.seconds,
        static_cast<double>(persons) / first.seconds, first.peak_mb,
        first_report["created"].get<std::size_t>(), first_report["rejected"].get<std::size_t>(),
        again.seconds, static_cast<double>(n) / again.seconds, again.peak_mb,
        again_report["unchanged"].get<std::size_t>());
    rows.emplace_back(row);
    std::printf("%s\n", row);
    std::fflush(stdout);
  }
  std::printf(
      "\n| households | persons | import s | households/s | persons/s | peak MB | created / "
      "rejected | re-import s | households/s | peak MB | unchanged |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (const auto& r : rows) std::printf("%s\n", r.c_str());
  return 0;
}
