#pragma once

#include <Poco/Data/Session.h>

#include <filesystem>
#include <mutex>
#include <optional>

#include "passerelle/core/ids.hpp"
#include "passerelle/crypto/aead.hpp"
#include "passerelle/crypto/master_key.hpp"
#include "passerelle/crypto/secret_key.hpp"
#include "sqlite_connection_pool.hpp"

namespace passerelle::store {

// One random data key per dossier, stored wrapped by the master key's `data_key_wrap` subkey in
// a SQLite file of its own (never in the dossiers' database, so that a backup of the database
// holds no key). Destroying a dossier's key is its erasure. Thread-safe.
class DataKeys {
 public:
  // Throws std::runtime_error, naming the file, if `master` is not the key the file's data keys
  // were wrapped with.
  DataKeys(const std::filesystem::path& file, const crypto::MasterKey& master);

  // A new key for the dossier, durable when it returns. Throws if it already has one.
  crypto::SecretKey create(const core::DossierId& id);
  // The dossier's key; nothing if it never had one or it was destroyed.
  std::optional<crypto::SecretKey> find(const core::DossierId& id) const;
  // Deletes the key (durable when it returns); false if there was none.
  bool destroy(const core::DossierId& id);

  // The version of the data keys (bound into every section's associated data).
  static constexpr std::int64_t kKeyVersion = 1;

 private:
  // Refuses (std::runtime_error) a master key that did not wrap this file's keys.
  void checkMasterKey(const std::filesystem::path& file);

  crypto::Aead wrap_;
  static constexpr std::int64_t kWrapVersion = 1;
  std::mutex write_mutex_;  // guards session_, the writer
  Poco::Data::Session session_;
  // Every dossier read looks its key up: readers must not queue behind one session.
  mutable SqliteConnectionPool readers_;
};

}  // namespace passerelle::store
