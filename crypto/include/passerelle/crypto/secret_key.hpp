#pragma once

#include <cstddef>
#include <cstdint>

namespace passerelle::crypto {

// A 32-byte secret held in libsodium's locked memory (a slot of a guarded slab: never swapped,
// wiped when destroyed). Move-only: a copy of a key is a second place to leak it. Read-only use is
// safe from several threads.
class SecretKey {
 public:
  static constexpr std::size_t kSize = 32;

  // A fresh random key.
  static SecretKey random();
  // A key holding a copy of `bytes` (exactly kSize of them).
  static SecretKey fromBytes(const std::uint8_t* bytes);

  SecretKey(SecretKey&& other) noexcept;
  SecretKey& operator=(SecretKey&& other) noexcept;
  SecretKey(const SecretKey&) = delete;
  SecretKey& operator=(const SecretKey&) = delete;
  ~SecretKey();

  const std::uint8_t* data() const { return bytes_; }

 private:
  SecretKey();
  std::uint8_t* bytes_;
};

}  // namespace passerelle::crypto
