#pragma once

#include <cstdint>
#include <utility>

#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::crypto {

// What a subkey is for. Each use has its own KDF context, so that a key for one use is never a
// key for another.
enum class KeyUse {
  blind_index,       // keyed indexes of identifiers (NIR, matricule, ...)
  section_data,      // sections sealed before per-dossier keys; erasure reasons
  content_hash,      // keyed hashes of section contents (change detection without a guessable hash)
  signing,           // seed of the gateway's Ed25519 signing key (receipts, checkpoints, manifests)
  audit_pseudonym,   // the person's pseudonym in the audit log (keyed hash of the dossier id)
  data_key_wrap,     // derived from a master key version: wraps the root key and the data keys
  export_pseudonym,  // the per-study keys of pseudonyms in evaluators' exports
};

// `parent`'s subkey for `use`, version `version`, with libsodium's KDF.
SecretKey deriveSubkey(const SecretKey& parent, KeyUse use, std::uint64_t version = 1);

// The secret every long-lived subkey of the gateway is derived from (blind indexes, content
// hashes, pseudonyms, signing). It is stored wrapped by the master key, so that rotating the
// master key does not change a single index, pseudonym or signature. Move-only; derive() is safe
// from several threads.
class RootKey {
 public:
  static RootKey generate();
  explicit RootKey(SecretKey key) : key_(std::move(key)) {}

  // The subkey for `use`, version `version` (versions allow rotation of a single use).
  SecretKey derive(KeyUse use, std::uint64_t version = 1) const {
    return deriveSubkey(key_, use, version);
  }
  const SecretKey& secret() const { return key_; }

 private:
  SecretKey key_;
};

}  // namespace passerelle::crypto
