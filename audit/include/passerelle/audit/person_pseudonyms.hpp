#pragma once

#include <string>

#include "passerelle/core/ids.hpp"
#include "passerelle/crypto/keyed_hash.hpp"
#include "passerelle/crypto/root_key.hpp"

namespace passerelle::audit {

// The person's audit pseudonym: a keyed hash of the dossier id (KeyUse::audit_pseudonym), so
// that the log names nobody, yet the DPO, who holds the gateway, finds every entry about one
// person. Safe to share across threads.
class PersonPseudonyms {
 public:
  explicit PersonPseudonyms(const crypto::RootKey& root);

  // "p" followed by 32 hex digits (128 bits of HMAC-SHA256).
  std::string of(const core::DossierId& id) const;

 private:
  crypto::KeyedHash hash_;
};

}  // namespace passerelle::audit
