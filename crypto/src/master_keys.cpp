#include "passerelle/crypto/master_keys.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <unistd.h>

#include <limits>
#include <stdexcept>
#include <string>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/numbers.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "secret_file.hpp"

namespace passerelle::crypto {

namespace {

constexpr std::string_view kHeader =
    "# Passerelle master key versions, one per line as version:key. Secret: keep it readable by\n"
    "# the gateway's user only, keep a copy offline, never commit it.\n";

// Overwrites a string that held key material before it is released.
struct WipeOnExit {
  std::string& text;
  ~WipeOnExit() { sodium_memzero(text.data(), text.size()); }
};

core::DomainError malformed(std::string_view origin, const std::string& what) {
  return core::DomainError(core::ErrorKind::configuration, std::string(origin) + ": " + what);
}

SecretKey keyFromHex(std::string_view hex, std::string_view origin) {
  auto bytes = fromHex(hex);
  if (!bytes || bytes->size() != SecretKey::kSize) {
    if (bytes) sodium_memzero(bytes->data(), bytes->size());
    throw malformed(origin, "a master key must be exactly 64 hexadecimal digits");
  }
  auto key = SecretKey::fromBytes(bytes->data());
  sodium_memzero(bytes->data(), bytes->size());
  return key;
}

}  // namespace

MasterKeys MasterKeys::generate() {
  MasterKeys keys;
  keys.keys_.emplace(1, SecretKey::random());
  return keys;
}

MasterKeys MasterKeys::parse(std::string_view text, std::string_view origin) {
  MasterKeys keys;
  std::vector<std::string_view> tokens;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n' || text[i] == ',') {
      ++i;
      continue;
    }
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != '\r' &&
           text[i] != '\n' && text[i] != ',')
      ++i;
    tokens.push_back(text.substr(start, i - start));
  }
  if (tokens.empty()) throw malformed(origin, "no master key");
  if (tokens.size() == 1 && tokens[0].find(':') == std::string_view::npos) {
    keys.keys_.emplace(1, keyFromHex(tokens[0], origin));
    return keys;
  }
  for (const auto token : tokens) {
    const auto colon = token.find(':');
    const auto number =
        colon == std::string_view::npos
            ? std::nullopt
            : core::parseWholeNumber(token.substr(0, colon), std::numeric_limits<Version>::max());
    if (!number || *number == 0)
      throw malformed(origin, "each master key must be written version:key, version from 1");
    const auto version = static_cast<Version>(*number);
    if (!keys.keys_.emplace(version, keyFromHex(token.substr(colon + 1), origin)).second)
      throw malformed(origin, "master key version " + std::to_string(version) + " appears twice");
  }
  return keys;
}

MasterKeys MasterKeys::loadFile(const std::filesystem::path& path) {
  std::string text = detail::readOwnerOnlyFile(path, "master key file");
  WipeOnExit wipe{text};
  return parse(text, "master key file " + path.string());
}

void MasterKeys::saveNewFile(const std::filesystem::path& path) const {
  std::string text(kHeader);
  WipeOnExit wipe{text};
  for (auto it = keys_.rbegin(); it != keys_.rend(); ++it)
    text += std::to_string(it->first) + ":" +
            toHex(std::string_view(reinterpret_cast<const char*>(it->second.data()),
                                   SecretKey::kSize)) +
            "\n";
  detail::writeNewOwnerOnlyFile(path, text, "master key file");
}

void MasterKeys::replaceFile(const std::filesystem::path& path) const {
  auto temporary = path;
  temporary += ".new";
  // A leftover from an interrupted replacement was never in use: the old file still is.
  std::filesystem::remove(temporary);
  saveNewFile(temporary);
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error)
    throw core::DomainError(
        core::ErrorKind::unavailable,
        "cannot replace master key file " + path.string() + ": " + error.message());
  const auto directory = path.has_parent_path() ? path.parent_path() : ".";
  const int fd = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    ::fsync(fd);  // the rename itself must survive a crash
    ::close(fd);
  }
}

std::vector<MasterKeys::Version> MasterKeys::versions() const {
  std::vector<Version> out;
  for (const auto& [version, key] : keys_) out.push_back(version);
  return out;
}

SecretKey MasterKeys::wrapKey(Version version) const {
  return deriveSubkey(keys_.at(version), KeyUse::data_key_wrap);
}

MasterKeys MasterKeys::withNewVersion() const {
  MasterKeys copy;
  for (const auto& [version, key] : keys_)
    copy.keys_.emplace(version, SecretKey::fromBytes(key.data()));
  copy.keys_.emplace(current() + 1, SecretKey::random());
  return copy;
}

MasterKeys MasterKeys::only(Version version) const {
  MasterKeys copy;
  copy.keys_.emplace(version, SecretKey::fromBytes(keys_.at(version).data()));
  return copy;
}

}  // namespace passerelle::crypto
