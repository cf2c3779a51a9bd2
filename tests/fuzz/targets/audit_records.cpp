// What `passerelle audit verify --file` and a partner's checkpoint check read (issue 21, §5):
// an audit log export (NDJSON entries and checkpoints) through the verifier, and each line
// through the entry and checkpoint parsers. The verifier reports what is wrong; it must never
// crash or throw for a file's content.
#include <cstddef>
#include <cstdint>
#include <fstream>
#include <sstream>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "temp_dir.hpp"

using namespace passerelle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static testing::TempDir dir;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    try {
      (void)audit::parseAuditEntry(line);
    } catch (const audit::AuditFormatError&) {
    }
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded()) continue;
    try {
      (void)audit::Checkpoint::fromJson(j);
    } catch (const audit::AuditFormatError&) {
    }
  }
  const auto file = dir / "export.ndjson";
  std::ofstream(file, std::ios::binary | std::ios::trunc) << text;
  try {
    (void)audit::verifyLog(*audit::exportFileSource(file), {std::string(64, 'a'), {}, {}});
  } catch (const audit::AuditFormatError&) {
    // an export that is not one: said as such
  }
  return 0;
}
