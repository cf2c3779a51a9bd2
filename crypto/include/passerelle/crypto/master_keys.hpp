#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string_view>
#include <vector>

#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::crypto {

// The versions of the master key, from a key file or PASSERELLE_MASTER_KEY: 32 random bytes
// each, used only to wrap other keys (the root key and every dossier's data key). Several
// versions live together only while a rotation re-wraps those keys. Never logged, never in an
// error message. Move-only; const use is safe from several threads.
//
// Text form: one `<version>:<64 hex digits>` per line (or separated by spaces or commas);
// lines starting with `#` are comments; a lone 64-hex-digit key is version 1.
class MasterKeys {
 public:
  using Version = std::uint32_t;

  // A single fresh version 1.
  static MasterKeys generate();

  // Reads a key file. Throws DomainError(configuration) (naming the file, never a key) if it is
  // missing, malformed, or readable or writable by group or others.
  static MasterKeys loadFile(const std::filesystem::path& path);
  // Parses the text form; `origin` names where it came from in error messages.
  static MasterKeys parse(std::string_view text, std::string_view origin);

  // Writes a new file readable only by its owner; refuses to overwrite one.
  void saveNewFile(const std::filesystem::path& path) const;
  // Replaces the file atomically (a crash leaves the old file or the new one, never a mix).
  void replaceFile(const std::filesystem::path& path) const;

  Version current() const { return keys_.rbegin()->first; }  // the highest version
  std::vector<Version> versions() const;
  bool has(Version version) const { return keys_.count(version) > 0; }
  // The key that wraps other keys under `version`. Throws std::out_of_range if absent.
  SecretKey wrapKey(Version version) const;

  // A copy of the raw key of `version`: only for adopting version 1 as the root key of a store
  // created before the root key existed (its indexes were derived from it).
  SecretKey copyKey(Version version) const {
    return SecretKey::fromBytes(keys_.at(version).data());
  }

  // A copy with one more, random, version (current() + 1).
  MasterKeys withNewVersion() const;
  // A copy holding only `version`.
  MasterKeys only(Version version) const;

 private:
  MasterKeys() = default;
  std::map<Version, SecretKey> keys_;  // never empty
};

}  // namespace passerelle::crypto
