#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::crypto {

// What a subkey is for. Each use has its own KDF context, so that a key for one use is never a
// key for another.
enum class KeyUse {
  blind_index,      // keyed indexes of identifiers (NIR, matricule, ...)
  section_data,     // encryption of section contents at rest
  content_hash,     // keyed hashes of section contents (change detection without a guessable hash)
  signing,          // seed of the gateway's Ed25519 signing key (receipts, checkpoints, manifests)
  audit_pseudonym,  // the person's pseudonym in the audit log (keyed hash of the dossier id)
  data_key_wrap,    // wraps each dossier's random data key (version = master key generation)
};

// The root of the key hierarchy: 32 random bytes from which every subkey is derived with
// libsodium's KDF. Never logged, never in an error message. Move-only; derive() is safe from
// several threads.
class MasterKey {
 public:
  static MasterKey generate();

  // Reads a key file (64 hex digits). Throws std::runtime_error if the file is missing,
  // malformed, or readable by group or others (the message names the file, never the key).
  static MasterKey loadFile(const std::filesystem::path& path);

  // Reads a key given as 64 hex digits (e.g. from an environment variable).
  static MasterKey fromHex(std::string_view hex);

  // Writes the key to a new file readable only by its owner; refuses to overwrite.
  void saveFile(const std::filesystem::path& path) const;

  // The subkey for `use`, version `version` (versions allow rotation of a single use).
  SecretKey derive(KeyUse use, std::uint64_t version = 1) const;

 private:
  explicit MasterKey(SecretKey key) : key_(std::move(key)) {}
  SecretKey key_;
};

}  // namespace passerelle::crypto
