// A partner file sent to POST /v1/imports/{format} (issue 21, §5): the bytes as they come,
// through the real import (reading, encoding, mapping, validation, matching against a store
// that holds a few dossiers), as a dry run so that every input meets the same store. The one
// exception the import may throw for a file is FileFormatError (unusable file, nothing
// imported); anything else escaping is a bug. FUZZ_FORMAT picks the format at compile time.
#include <cstddef>
#include <cstdint>
#include <fstream>

#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/connectors/importer.hpp"
#include "passerelle/core/domain_error.hpp"
#include "service_harness.hpp"

using namespace passerelle;

namespace {

struct Target {
  connectors::ImportFormat format;
  const char* partner;
  core::Purpose purpose;
};

constexpr Target kTarget = {
    connectors::ImportFormat::FUZZ_FORMAT,
    FUZZ_FORMAT_IS_CAF  ? "caf"
    : FUZZ_FORMAT_IS_FT ? "france-travail"
                        : "departement",
    FUZZ_FORMAT_IS_CAF ? core::Purpose::instruction_rsa : core::Purpose::accompagnement};

testing::ServiceHarness& harness() {
  static auto* h = [] {
    auto* made = new testing::ServiceHarness();
    for (std::size_t i = 0; i < 5; ++i) made->createAsCaf(i);
    return made;
  }();
  return *h;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& h = harness();
  const auto file = h.dir / "input";
  {
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    connectors::runImport(kTarget.format, file, h.dossiers, h.as(kTarget.partner, kTarget.purpose),
                          "fuzz", [](const dossiers::ImportOutcome&) {}, {true, false});
  } catch (const connectors::FileFormatError&) {
    // an unusable file: refused whole, as it must be
  }
  return 0;
}
