#include "passerelle/crypto/secret_key.hpp"

#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

#include "sodium.hpp"

namespace passerelle::crypto {

namespace {

// Keys come and go by the thousand (a data key per dossier read, two per export row): giving
// each its own sodium_malloc region costs about ten system calls (mmap, mprotect, mlock and
// back), most of an export's time. Slots of larger sodium_malloc slabs keep what matters —
// locked (never swapped), guard pages around the slab, wiped when given back — for a push and
// a pop under a mutex. Slabs are kept for the process's life: at most as many as keys alive at
// once.
class SlotPool {
 public:
  std::uint8_t* take() {
    std::lock_guard lock(mutex_);
    if (free_.empty()) grow();
    auto* slot = free_.back();
    free_.pop_back();
    return slot;
  }

  void give(std::uint8_t* slot) {
    sodium_memzero(slot, SecretKey::kSize);
    std::lock_guard lock(mutex_);
    free_.push_back(slot);  // never reallocates: the vector once held every slot
  }

 private:
  void grow() {
    constexpr std::size_t kSlots = 128;  // one 4 KiB page
    detail::ensureSodium();
    auto* slab = static_cast<std::uint8_t*>(sodium_malloc(kSlots * SecretKey::kSize));
    if (slab == nullptr) throw std::bad_alloc();
    for (std::size_t i = kSlots; i-- > 0;) free_.push_back(slab + i * SecretKey::kSize);
  }

  std::mutex mutex_;
  std::vector<std::uint8_t*> free_;
};

// Never destroyed: a key held by a static may be released after the pool would be.
SlotPool& pool() {
  static auto* instance = new SlotPool;
  return *instance;
}

}  // namespace

SecretKey::SecretKey() : bytes_(pool().take()) {}

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
    if (bytes_ != nullptr) pool().give(bytes_);
    bytes_ = std::exchange(other.bytes_, nullptr);
  }
  return *this;
}

SecretKey::~SecretKey() {
  if (bytes_ != nullptr) pool().give(bytes_);
}

}  // namespace passerelle::crypto
