#include "data_key_cache.hpp"

#include "passerelle/core/metrics.hpp"

namespace passerelle::store {

namespace {

core::metrics::Counter& lookups(bool hit) {
  static auto& family = core::metrics::registry().counter(
      "passerelle_data_key_cache_lookups_total",
      "Data key lookups by result: hit (from memory) or miss (read from the key store).",
      {"result"});
  static auto& hits = family.with({"hit"});
  static auto& misses = family.with({"miss"});
  return hit ? hits : misses;
}

}  // namespace

DataKeyCache::Ticket DataKeyCache::ticket() const {
  std::lock_guard lock(mutex_);
  return forgotten_;
}

std::optional<crypto::SecretKey> DataKeyCache::find(const std::string& dossier) const {
  std::lock_guard lock(mutex_);
  const auto it = keys_.find(dossier);
  lookups(it != keys_.end()).add();
  if (it == keys_.end()) return std::nullopt;
  return crypto::SecretKey::fromBytes(it->second.data());
}

void DataKeyCache::remember(const std::string& dossier, const crypto::SecretKey& key,
                            Ticket ticket) {
  if (capacity_ == 0) return;
  auto copy = crypto::SecretKey::fromBytes(key.data());
  std::lock_guard lock(mutex_);
  // A forget since the ticket may have been this dossier's: its key stays out.
  if (ticket != forgotten_) return;
  // Full: an arbitrary key makes room (the hash order is unrelated to the dossiers' use).
  if (keys_.size() >= capacity_ && keys_.find(dossier) == keys_.end()) keys_.erase(keys_.begin());
  keys_.insert_or_assign(dossier, std::move(copy));
}

void DataKeyCache::forget(const std::string& dossier) {
  std::lock_guard lock(mutex_);
  keys_.erase(dossier);
  ++forgotten_;
}

}  // namespace passerelle::store
