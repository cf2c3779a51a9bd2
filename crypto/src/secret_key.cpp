#include "passerelle/crypto/secret_key.hpp"

#include <sodium.h>

#include <algorithm>
#include <new>
#include <utility>

#include "sodium.hpp"

namespace passerelle::crypto {

SecretKey::SecretKey() {
  detail::ensureSodium();
  bytes_ = static_cast<std::uint8_t*>(sodium_malloc(kSize));
  if (bytes_ == nullptr) throw std::bad_alloc();
}

SecretKey SecretKey::random() {
  SecretKey key;
  randombytes_buf(key.bytes_, kSize);
  return key;
}

SecretKey SecretKey::fromBytes(const std::uint8_t* bytes) {
  SecretKey key;
  std::copy(bytes, bytes + kSize, key.bytes_);
  return key;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(std::exchange(other.bytes_, nullptr)) {}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    sodium_free(bytes_);
    bytes_ = std::exchange(other.bytes_, nullptr);
  }
  return *this;
}

SecretKey::~SecretKey() {
  sodium_free(bytes_);
}  // sodium_free wipes before releasing

}  // namespace passerelle::crypto
