// A consent receipt handed back to `passerelle consent verify` (issue 21, §5): any JSON, checked
// against its signature. The check says valid or why not; it never throws for the content.
#include <cstddef>
#include <cstdint>

#include "passerelle/dossiers/consent_service.hpp"

using namespace passerelle;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto receipt =
      nlohmann::json::parse(reinterpret_cast<const char*>(data),
                            reinterpret_cast<const char*>(data) + size, nullptr, false);
  if (receipt.is_discarded()) return 0;
  (void)dossiers::verifyReceipt(receipt);
  (void)dossiers::verifyReceipt(receipt, std::string(64, 'a'));
  return 0;
}
