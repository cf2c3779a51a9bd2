// A configuration file given to `passerelle serve --config` (issue 21, §5). A bad one is
// refused with a core::DomainError of kind `configuration` naming the file and the key; nothing
// else escapes.
#include <cstddef>
#include <cstdint>
#include <fstream>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/config.hpp"
#include "temp_dir.hpp"

using namespace passerelle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static testing::TempDir dir;
  const auto file = dir / "passerelle.json";
  std::ofstream(file, std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    (void)gateway::loadConfig(file);
  } catch (const core::DomainError& e) {
    if (e.kind() != core::ErrorKind::configuration) __builtin_trap();  // not the contract's kind
  }
  return 0;
}
