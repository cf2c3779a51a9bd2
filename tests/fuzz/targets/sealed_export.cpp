// An export directory handed to `passerelle export open` (issue 21, §5): the manifest and the
// files it names, from one input split at lines "=== NAME". A directory that is not a sound
// export is refused with a core::DomainError saying why (integrity; unusable_file for a file
// that cannot be read), and nothing decrypted is left behind.
#include <cstddef>
#include <cstdint>

#include "documents.hpp"
#include "passerelle/connectors/export_job.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "temp_dir.hpp"

using namespace passerelle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static testing::TempDir dir;
  static const auto keys = crypto::RecipientKeys::generate();
  const auto files =
      fuzz::splitFiles(std::string(reinterpret_cast<const char*>(data), size), "manifest.json");
  fuzz::writeFiles(dir / "export", files);
  std::filesystem::remove_all(dir / "opened");
  try {
    (void)connectors::openExport(dir / "export", keys, std::nullopt, dir / "opened");
  } catch (const core::DomainError& e) {
    if (e.kind() != core::ErrorKind::integrity && e.kind() != core::ErrorKind::unusable_file)
      __builtin_trap();  // not the contract's kind
    if (std::filesystem::exists(dir / "opened"))
      __builtin_trap();  // something decrypted was left behind by a refused export
  }
  return 0;
}
