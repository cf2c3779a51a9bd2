#pragma once

#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::store {

// The data keys most recently unwrapped, so that a dossier read or write does not look its key
// up in the key file (a read transaction, and the queue for one of its connections) every time.
// Bounded; thread-safe. A key destroyed through `forget` is never returned again, even by a
// lookup that started before.
class DataKeyCache {
 public:
  explicit DataKeyCache(std::size_t capacity) : capacity_(capacity) {}

  // Taken before reading a key from the file, handed back to `remember`: a key read before a
  // `forget` of the same dossier must not come back into the cache after it.
  using Ticket = std::uint64_t;
  Ticket ticket() const;

  std::optional<crypto::SecretKey> find(const std::string& dossier) const;
  void remember(const std::string& dossier, const crypto::SecretKey& key, Ticket ticket);
  void forget(const std::string& dossier);

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, crypto::SecretKey> keys_;
  Ticket forgotten_ = 0;  // how many forgets so far
};

}  // namespace passerelle::store
