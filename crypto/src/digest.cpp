#include "passerelle/crypto/digest.hpp"

#include <sodium.h>

#include <array>
#include <fstream>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/bytes.hpp"

namespace passerelle::crypto {

std::string sha256Hex(std::string_view data) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return toHex(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

std::string hmacSha256Hex(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state state;
  crypto_auth_hmacsha256_init(&state, reinterpret_cast<const unsigned char*>(key.data()),
                              key.size());
  crypto_auth_hmacsha256_update(&state, reinterpret_cast<const unsigned char*>(data.data()),
                                data.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> out{};
  crypto_auth_hmacsha256_final(&state, out.data());
  sodium_memzero(&state, sizeof state);
  return toHex(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

struct Sha256::State {
  crypto_hash_sha256_state state;
};

Sha256::Sha256() : state_(std::make_unique<State>()) {
  crypto_hash_sha256_init(&state_->state);
}

Sha256::~Sha256() = default;

void Sha256::update(std::string_view data) {
  crypto_hash_sha256_update(&state_->state, reinterpret_cast<const unsigned char*>(data.data()),
                            data.size());
}

std::string Sha256::finishHex() {
  std::array<unsigned char, crypto_hash_sha256_BYTES> out{};
  crypto_hash_sha256_final(&state_->state, out.data());
  return toHex(std::string_view(reinterpret_cast<const char*>(out.data()), out.size()));
}

std::string sha256HexOfFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw core::DomainError(core::ErrorKind::unusable_file, "cannot read " + path);
  Sha256 hash;
  std::string buffer(64 * 1024, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    hash.update(std::string_view(buffer.data(), static_cast<std::size_t>(in.gcount())));
  }
  if (in.bad()) throw core::DomainError(core::ErrorKind::unusable_file, "cannot read " + path);
  return hash.finishHex();
}

}  // namespace passerelle::crypto
