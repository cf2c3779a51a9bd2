#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "passerelle/core/strong_string.hpp"

namespace passerelle::core {

// `prefix` followed by the 16 bytes in lowercase base32 (26 characters): the shape of every
// random identifier the gateway hands out (dossiers "d…", consents "c…", relationships "r…").
std::string randomIdText(char prefix, const std::array<std::uint8_t, 16>& bytes);
// Whether `text` has that shape. What a client sends in place of an id is recorded (audit log)
// only if it does: anything else may be a NIR or an e-mail address typed in the wrong place.
bool isRandomIdText(char prefix, std::string_view text);
// The text if it is a random id of that shape, else "invalid": what the audit log may record.
std::string auditableId(char prefix, std::string_view text);

// Identifier of a partner system in the partner registry (e.g. "caf", "mission-locale").
using PartnerId = StrongString<struct PartnerIdTag>;

// Identifier of one HTTP request, echoed to the client and written to the logs.
using RequestId = StrongString<struct RequestIdTag>;

// The gateway's own identifier of a dossier: random, meaningless, "d" followed by 26 base32
// characters (128 random bits). Immutable value type.
class DossierId : public StrongString<struct DossierIdTag> {
 public:
  // Builds the id from 16 random bytes.
  static DossierId fromRandom(const std::array<std::uint8_t, 16>& bytes);

  // Returns the id if `text` has the exact shape of a dossier id, nothing otherwise.
  static std::optional<DossierId> parse(std::string_view text);

 private:
  using StrongString::StrongString;
};

}  // namespace passerelle::core

namespace passerelle::core {

// A field of the dossier as a JSON pointer from the dossier root, with "*" standing for any
// array index (e.g. "/parcours/actions/*/date_debut").
using FieldPath = StrongString<struct FieldPathTag>;

}  // namespace passerelle::core
