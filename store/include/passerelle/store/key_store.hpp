#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/core/ids.hpp"
#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::store {

// The gateway's keys at rest, in a SQLite file or a PostgreSQL database of their own (never in
// the dossiers' database, so that a backup or a dump of it holds no key): the root key and one
// random data key per dossier, each wrapped by a version of the master key. Destroying a dossier's
// data key is its erasure. Several processes may use one file at once (a gateway serving while
// `passerelle keys rotate` re-wraps). Thread-safe.
class KeyStore {
 public:
  using Version = crypto::MasterKeys::Version;
  // Reads the master key versions again: after a rotation by another process, the key file
  // holds a version this process has not seen. Empty when they cannot change
  // (PASSERELLE_MASTER_KEY).
  using Reload = std::function<crypto::MasterKeys()>;

  struct Options {
    std::filesystem::path file;
    // The dossiers' database predates this file's root key: its indexes were derived from
    // master key version 1 itself, which then becomes the root key.
    bool existing_data = false;
    Reload reload = {};
    // How many unwrapped data keys stay in locked memory for the next access to their dossier
    // (32 bytes each; 0: none). Destroying a key drops it at once, which is enough because
    // destroying happens only in the process that holds the data directory's lock.
    std::size_t cached_keys = 16384;
    // When set, the keys are in this PostgreSQL database (its migrations applied at open)
    // instead of `file`.
    std::string postgres_url = {};
    std::size_t postgres_pool = 4;
    // Whether opening applies the key database's pending migrations (its owner connects).
    bool postgres_migrate = true;
  };

  // Opens the file or database (created and migrated if needed). Throws
  // DomainError(configuration) naming the file if `master` is not the key that wrapped its keys, or
  // lacks a version that still wraps some.
  KeyStore(Options options, crypto::MasterKeys master);
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  const crypto::RootKey& root() const;

  // A new data key for the dossier, durable when it returns. Throws if it already has one, and
  // core::DomainError(unavailable) if the key file cannot be written (full disk, I/O error).
  crypto::SecretKey createDataKey(const core::DossierId& id);
  // The dossier's data key; nothing if it never had one or it was destroyed. Throws
  // core::DomainError(integrity) if the stored key does not open.
  std::optional<crypto::SecretKey> findDataKey(const core::DossierId& id) const;
  // Deletes the data keys (durable when it returns, in one transaction); returns how many there
  // were. core::DomainError(unavailable) if the key file cannot be written.
  std::size_t destroyDataKeys(const std::vector<core::DossierId>& ids);

  // Whether the key file can be read and the master key in use still opens its checks: the
  // readiness probe. Never throws.
  bool probeReadable() const;

  struct Status {
    Version active = 0;                        // the version new keys are wrapped under
    std::map<Version, std::size_t> data_keys;  // how many data keys each version wraps
    Version root = 0;                          // the version the root key is wrapped under
    bool root_is_master_v1 = false;            // see Options::existing_data
  };
  Status status() const;

  struct Rotation {
    Version to = 0;
    bool resumed = false;  // a rotation interrupted earlier was carried on
    std::size_t rewrapped = 0;
    std::size_t remaining = 0;     // keys still under an older version (stopped by max_keys)
    std::vector<Version> retired;  // versions removed from the file and the key file
    bool waiting = false;          // `ready` said no: the new version is in the file, no more
  };
  // Rotates the master key kept in `key_file` (the file this store's keys came from): unless a
  // rotation is already pending, adds a new random version to the file; re-wraps the root key and
  // every data key under it, a few hundred per transaction, so that other processes using the
  // store carry on; then, once nothing uses them, retires the older versions from this file and
  // from the key file. Stops after `max_keys` data keys if given; running it again resumes.
  // With several nodes, `ready` says whether every node holds the new version (its own copy of
  // the file has it): when it says no, nothing is wrapped under it yet (`waiting`), so that no
  // node meets a key it cannot unwrap. Callers make sure only one rotation runs at a time.
  Rotation rotate(const std::filesystem::path& key_file,
                  std::optional<std::size_t> max_keys = std::nullopt,
                  const std::function<bool(Version)>& ready = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::store
