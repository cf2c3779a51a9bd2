#include "passerelle/crypto/master_key.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <string>

#include "passerelle/crypto/bytes.hpp"
#include "sodium.hpp"

namespace passerelle::crypto {

namespace {

static_assert(crypto_kdf_KEYBYTES == SecretKey::kSize);

// KDF contexts are exactly crypto_kdf_CONTEXTBYTES (8) characters.
const char* contextOf(KeyUse use) {
  switch (use) {
    case KeyUse::blind_index:
      return "PDblindx";
    case KeyUse::section_data:
      return "PDsectn_";
    case KeyUse::content_hash:
      return "PDchash_";
    case KeyUse::signing:
      return "PDsign__";
    case KeyUse::audit_pseudonym:
      return "PDauditp";
    case KeyUse::data_key_wrap:
      return "PDwrapdk";
  }
  throw std::logic_error("unknown key use");
}

}  // namespace

MasterKey MasterKey::generate() {
  return MasterKey(SecretKey::random());
}

MasterKey MasterKey::fromHex(std::string_view hex) {
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r' || hex.back() == ' '))
    hex.remove_suffix(1);
  auto bytes = crypto::fromHex(hex);
  if (!bytes || bytes->size() != SecretKey::kSize)
    throw std::runtime_error("master key must be exactly 64 hexadecimal digits");
  auto key = SecretKey::fromBytes(bytes->data());
  sodium_memzero(bytes->data(), bytes->size());
  return MasterKey(std::move(key));
}

MasterKey MasterKey::loadFile(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    throw std::runtime_error("master key file " + path.string() + " cannot be read");
  if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0)
    throw std::runtime_error("master key file " + path.string() +
                             " is accessible to group or others; run chmod 600 on it");
  std::ifstream in(path);
  std::string hex((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  try {
    auto key = fromHex(hex);
    sodium_memzero(hex.data(), hex.size());
    return key;
  } catch (const std::runtime_error&) {
    sodium_memzero(hex.data(), hex.size());
    throw std::runtime_error("master key file " + path.string() +
                             " does not hold 64 hexadecimal digits");
  }
}

void MasterKey::saveFile(const std::filesystem::path& path) const {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0 && errno == EEXIST)
    throw std::runtime_error("master key file " + path.string() +
                             " exists; a master key is never overwritten");
  if (fd < 0) throw std::runtime_error("cannot create master key file " + path.string());
  std::string hex =
      toHex(std::string_view(reinterpret_cast<const char*>(key_.data()), SecretKey::kSize)) + "\n";
  const bool ok =
      ::write(fd, hex.data(), hex.size()) == static_cast<ssize_t>(hex.size()) && ::fsync(fd) == 0;
  sodium_memzero(hex.data(), hex.size());
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write master key file " + path.string());
}

SecretKey MasterKey::derive(KeyUse use, std::uint64_t version) const {
  std::array<std::uint8_t, SecretKey::kSize> sub{};
  crypto_kdf_derive_from_key(sub.data(), sub.size(), version, contextOf(use), key_.data());
  auto key = SecretKey::fromBytes(sub.data());
  sodium_memzero(sub.data(), sub.size());
  return key;
}

}  // namespace passerelle::crypto
