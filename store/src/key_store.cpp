#include "passerelle/store/key_store.hpp"

#include <Poco/Data/LOB.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/Session.h>
#include <Poco/Logger.h>
#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "data_key_cache.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/aead.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_migrations.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;
using Version = KeyStore::Version;

namespace {

constexpr std::string_view kCheckText = "passerelle data keys";
constexpr std::size_t kRotationBatch = 256;

std::string dataKeyAssociated(const std::string& dossier, Version version) {
  return "passerelle/data-key/v1|" + dossier + "|" + std::to_string(version);
}
std::string rootAssociated(Version version) {
  return "passerelle/root-key/v1|" + std::to_string(version);
}
std::string checkAssociated(Version version) {
  return "passerelle/key-check/v1|" + std::to_string(version);
}

crypto::Bytes bytesOf(const Poco::Data::BLOB& blob) {
  return crypto::Bytes(blob.content().begin(), blob.content().end());
}
Poco::Data::BLOB blobOf(const crypto::Bytes& bytes) {
  return Poco::Data::BLOB(bytes.data(), bytes.size());
}
std::string_view viewOf(const crypto::SecretKey& key) {
  return {reinterpret_cast<const char*>(key.data()), crypto::SecretKey::kSize};
}

// SQLite's BEGIN IMMEDIATE: the write lock is taken at the start, so that what the transaction
// reads (the active version, the keys left to re-wrap) cannot change before it writes.
class ImmediateTransaction {
 public:
  explicit ImmediateTransaction(Poco::Data::Session& session) : session_(session) {
    session_ << "BEGIN IMMEDIATE", now;
  }
  ~ImmediateTransaction() {
    if (!done_) {
      try {
        session_ << "ROLLBACK", now;
      } catch (const Poco::Exception&) {  // the connection is gone; SQLite rolled back already
      }
    }
  }
  void commit() {
    session_ << "COMMIT", now;
    done_ = true;
  }

 private:
  Poco::Data::Session& session_;
  bool done_ = false;
};

// The master key versions in memory, each with its wrapping cipher.
struct Wrappers {
  explicit Wrappers(crypto::MasterKeys keys) : master(std::move(keys)) {
    for (const auto version : master.versions())
      by_version.emplace(version, crypto::Aead(master.wrapKey(version)));
  }
  const crypto::Aead* find(Version version) const {
    const auto it = by_version.find(version);
    return it == by_version.end() ? nullptr : &it->second;
  }
  crypto::MasterKeys master;
  std::map<Version, crypto::Aead> by_version;
};

crypto::SecretKey unwrapKey(const crypto::Aead& wrap, const crypto::Bytes& wrapped,
                            const std::string& associated) {
  auto raw = wrap.open(wrapped, associated);
  if (raw.size() != crypto::SecretKey::kSize) {
    sodium_memzero(raw.data(), raw.size());
    throw core::DomainError(core::ErrorKind::integrity, "a stored key has the wrong size");
  }
  auto key = crypto::SecretKey::fromBytes(reinterpret_cast<const std::uint8_t*>(raw.data()));
  sodium_memzero(raw.data(), raw.size());
  return key;
}

}  // namespace

struct KeyStore::Impl {
  Impl(Options o, crypto::MasterKeys master)
      : options(std::move(o)),
        writer(SqliteConnectionPool::open(options.file)),
        wrappers(std::make_shared<const Wrappers>(std::move(master))) {
    migrateSqlite(writer, detail::sqliteKeyMigrations());
    readers.emplace(options.file, 2);
  }

  std::string where() const { return options.file.string(); }

  // Every version `keys` shares with the file must open its check; a file whose checks it cannot
  // open at all was wrapped by another master key.
  void verifyChecks(Poco::Data::Session& session, const Wrappers& keys) const {
    std::vector<Poco::Int64> versions;
    std::vector<Poco::Data::BLOB> sealed;
    session << "SELECT wrap_version, sealed FROM key_checks", into(versions), into(sealed), now;
    for (std::size_t i = 0; i < versions.size(); ++i) {
      const auto* wrap = keys.find(static_cast<Version>(versions[i]));
      if (wrap == nullptr) continue;
      bool opens = false;
      try {
        opens = wrap->open(bytesOf(sealed[i]),
                           checkAssociated(static_cast<Version>(versions[i]))) == kCheckText;
      } catch (const core::DomainError&) {
      }
      if (!opens)
        throw core::DomainError(
            core::ErrorKind::configuration,
            "the master key given is not the one that wrapped the data keys in " + where() +
                " (wrong key file or PASSERELLE_MASTER_KEY?)");
    }
  }

  void insertCheck(Poco::Data::Session& session, const Wrappers& keys, Version version) {
    const auto sealed = keys.find(version)->seal(kCheckText, checkAssociated(version));
    session << "INSERT OR IGNORE INTO key_checks (wrap_version, sealed) VALUES (?, ?)",
        bind(static_cast<Poco::Int64>(version)), bind(blobOf(sealed)), now;
  }

  // How many keys each version wraps, the root key included.
  std::map<Version, std::size_t> usage(Poco::Data::Session& session) const {
    std::vector<Poco::Int64> versions, counts;
    session << "SELECT wrap_version, COUNT(*) FROM data_keys GROUP BY wrap_version "
               "UNION ALL SELECT wrap_version, 1 FROM root_key",
        into(versions), into(counts), now;
    std::map<Version, std::size_t> out;
    for (std::size_t i = 0; i < versions.size(); ++i)
      out[static_cast<Version>(versions[i])] += static_cast<std::size_t>(counts[i]);
    return out;
  }

  // At open: the checks, then every version in use must be in the key file (a clear refusal at
  // start rather than an integrity error on some dossiers later), then the root key.
  void open() {
    const auto& keys = *wrappers;
    ImmediateTransaction tx(writer);
    int checks = 0;
    writer << "SELECT COUNT(*) FROM key_checks", into(checks), now;
    const bool fresh = checks == 0;
    if (fresh) insertCheck(writer, keys, keys.master.current());
    verifyChecks(writer, keys);
    for (const auto& [version, count] : usage(writer))
      if (!keys.master.has(version))
        throw core::DomainError(core::ErrorKind::configuration,
                                "the master key lacks version " + std::to_string(version) +
                                    ", which still wraps " + std::to_string(count) + " keys in " +
                                    where() + " (a key file from before a rotation?)");
    loadOrCreateRoot(keys, !fresh || options.existing_data);
    tx.commit();
  }

  void loadOrCreateRoot(const Wrappers& keys, bool adopt_master_v1) {
    std::vector<Poco::Int64> versions;
    std::vector<Poco::Data::BLOB> wrapped;
    std::vector<std::string> origins;
    writer << "SELECT wrap_version, wrapped, origin FROM root_key", into(versions), into(wrapped),
        into(origins), now;
    if (!versions.empty()) {
      const auto version = static_cast<Version>(versions.front());
      root.emplace(
          unwrapKey(*keys.find(version), bytesOf(wrapped.front()), rootAssociated(version)));
      root_is_master_v1 = origins.front() == "master-v1";
      return;
    }
    if (adopt_master_v1 && !keys.master.has(1))
      throw core::DomainError(core::ErrorKind::configuration,
                              "the data in " + where() +
                                  " was indexed under master key version 1, which the key given "
                                  "lacks");
    root.emplace(adopt_master_v1 ? keys.master.copyKey(1) : crypto::SecretKey::random());
    root_is_master_v1 = adopt_master_v1;
    const auto active = activeVersion(writer);
    const auto sealed = keys.find(active)->seal(viewOf(root->secret()), rootAssociated(active));
    writer << "INSERT INTO root_key (id, wrap_version, wrapped, origin) VALUES (1, ?, ?, ?)",
        bind(static_cast<Poco::Int64>(active)), bind(blobOf(sealed)),
        bind(std::string(adopt_master_v1 ? "master-v1" : "random")), now;
  }

  static Version activeVersion(Poco::Data::Session& session) {
    Poco::Int64 version = 0;
    session << "SELECT MAX(wrap_version) FROM key_checks", into(version), now;
    return static_cast<Version>(version);
  }

  // The master keys in memory, reloaded if they lack `version` (another process rotated).
  std::shared_ptr<const Wrappers> wrappersFor(Version version) const {
    std::lock_guard lock(wrappers_mutex);
    if (wrappers->find(version) != nullptr) return wrappers;
    if (options.reload) {
      auto reloaded = std::make_shared<const Wrappers>(options.reload());
      {
        auto session = readers->acquire();
        verifyChecks(*session, *reloaded);
      }
      wrappers = reloaded;
      if (wrappers->find(version) != nullptr) return wrappers;
    }
    throw core::DomainError(core::ErrorKind::integrity,
                            "a key is wrapped under master key version " + std::to_string(version) +
                                ", which the master key given lacks");
  }

  void install(crypto::MasterKeys keys) {
    auto fresh = std::make_shared<const Wrappers>(std::move(keys));
    {
      std::lock_guard lock(write_mutex);
      verifyChecks(writer, *fresh);
    }
    std::lock_guard lock(wrappers_mutex);
    wrappers = fresh;
  }

  // Re-wraps the root key and up to `limit` data keys not under `to`, in one transaction.
  // Returns how many data keys it re-wrapped.
  std::size_t rewrapBatch(Version to, std::size_t limit) {
    std::lock_guard lock(write_mutex);
    ImmediateTransaction tx(writer);
    const auto keys = wrappersFor(to);
    const auto& target = *keys->find(to);
    std::vector<Poco::Int64> root_version;
    writer << "SELECT wrap_version FROM root_key WHERE wrap_version <> ?",
        bind(static_cast<Poco::Int64>(to)), into(root_version), now;
    if (!root_version.empty()) {
      const auto sealed = target.seal(viewOf(root->secret()), rootAssociated(to));
      writer << "UPDATE root_key SET wrap_version = ?, wrapped = ?",
          bind(static_cast<Poco::Int64>(to)), bind(blobOf(sealed)), now;
    }
    std::vector<std::string> ids;
    std::vector<Poco::Int64> versions;
    std::vector<Poco::Data::BLOB> wrapped;
    writer << "SELECT dossier_id, wrap_version, wrapped FROM data_keys WHERE wrap_version <> ? "
              "LIMIT ?",
        bind(static_cast<Poco::Int64>(to)), bind(static_cast<Poco::Int64>(limit)), into(ids),
        into(versions), into(wrapped), now;
    std::vector<Poco::Data::BLOB> rewrapped;
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto from = static_cast<Version>(versions[i]);
      const auto key = unwrapKey(*wrappersFor(from)->find(from), bytesOf(wrapped[i]),
                                 dataKeyAssociated(ids[i], from));
      rewrapped.push_back(blobOf(target.seal(viewOf(key), dataKeyAssociated(ids[i], to))));
    }
    if (!ids.empty()) {
      std::vector<Poco::Int64> to_versions(ids.size(), static_cast<Poco::Int64>(to));
      writer << "UPDATE data_keys SET wrap_version = ?, wrapped = ? WHERE dossier_id = ?",
          use(to_versions), use(rewrapped), use(ids), now;
    }
    tx.commit();
    return ids.size();
  }

  // Removes the checks of every version but `to`, if nothing is wrapped under them any more.
  bool retireAllBut(Version to) {
    std::lock_guard lock(write_mutex);
    ImmediateTransaction tx(writer);
    for (const auto& [version, count] : usage(writer))
      if (version != to && count > 0) return false;
    writer << "DELETE FROM key_checks WHERE wrap_version <> ?", bind(static_cast<Poco::Int64>(to)),
        now;
    tx.commit();
    return true;
  }

  Options options;
  std::mutex write_mutex;  // guards writer
  Poco::Data::Session writer;
  // Every dossier read looks its key up: readers must not queue behind one session.
  mutable std::optional<SqliteConnectionPool> readers;
  mutable std::mutex wrappers_mutex;  // guards the pointer below and reloads
  mutable std::shared_ptr<const Wrappers> wrappers;
  std::optional<crypto::RootKey> root;
  bool root_is_master_v1 = false;
  DataKeyCache cache{options.cached_keys};
};

KeyStore::KeyStore(Options options, crypto::MasterKeys master)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(master))) {
  impl_->open();
}

KeyStore::~KeyStore() = default;

const crypto::RootKey& KeyStore::root() const {
  return *impl_->root;
}

namespace {

// The key file could not take a write: the caller's change is refused, and may be retried.
[[noreturn]] void keysUnavailable(const Poco::Exception& e) {
  Poco::Logger::get("passerelle.store").error("data keys not writable: %s", e.displayText());
  throw core::DomainError(core::ErrorKind::unavailable,
                          "the data keys could not be written (full disk or I/O error); nothing "
                          "was changed, retry later");
}

}  // namespace

crypto::SecretKey KeyStore::createDataKey(const core::DossierId& id) {
  auto key = crypto::SecretKey::random();
  std::lock_guard lock(impl_->write_mutex);
  try {
    ImmediateTransaction tx(impl_->writer);
    // Read inside the write transaction: a rotation that registers a new version and a creation
    // are ordered, so no key lands under a version being retired.
    const auto active = Impl::activeVersion(impl_->writer);
    const auto wrapped = impl_->wrappersFor(active)->find(active)->seal(
        viewOf(key), dataKeyAssociated(id.str(), active));
    impl_->writer << "INSERT INTO data_keys (dossier_id, wrap_version, wrapped, created_at) "
                     "VALUES (?, ?, ?, ?)",
        bind(id.str()), bind(static_cast<Poco::Int64>(active)), bind(blobOf(wrapped)),
        bind(core::nowUtc()), now;
    tx.commit();
  } catch (const Poco::Data::SQLite::ConstraintViolationException&) {
    throw;
  } catch (const Poco::Data::DataException& e) {
    keysUnavailable(e);
  }
  return key;
}

std::optional<crypto::SecretKey> KeyStore::findDataKey(const core::DossierId& id) const {
  if (auto cached = impl_->cache.find(id.str())) return cached;
  const auto ticket = impl_->cache.ticket();
  crypto::Bytes wrapped;
  Version version = 0;
  {
    auto session = impl_->readers->acquire();
    auto query = session.statements().prepare(
        "SELECT wrapped, wrap_version FROM data_keys WHERE dossier_id = ?");
    query.bind(id.str());
    if (!query.step()) return std::nullopt;
    wrapped = query.blob(0);
    version = static_cast<Version>(query.integer(1));
  }
  auto key = unwrapKey(*impl_->wrappersFor(version)->find(version), wrapped,
                       dataKeyAssociated(id.str(), version));
  impl_->cache.remember(id.str(), key, ticket);
  return key;
}

bool KeyStore::probeReadable() const {
  try {
    std::shared_ptr<const Wrappers> keys;
    {
      std::lock_guard lock(impl_->wrappers_mutex);
      keys = impl_->wrappers;
    }
    auto session = impl_->readers->acquire();
    impl_->verifyChecks(*session, *keys);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::size_t KeyStore::destroyDataKeys(const std::vector<core::DossierId>& ids) {
  std::vector<core::DossierId> present;
  for (const auto& id : ids) {
    auto session = impl_->readers->acquire();
    auto query = session.statements().prepare("SELECT 1 FROM data_keys WHERE dossier_id = ?");
    query.bind(id.str());
    if (query.step()) present.push_back(id);
  }
  if (present.empty()) return 0;  // no write: a start on a full disk still opens
  std::lock_guard lock(impl_->write_mutex);
  std::size_t removed = 0;
  try {
    ImmediateTransaction tx(impl_->writer);
    for (const auto& id : present) {
      Poco::Data::Statement remove(impl_->writer);
      remove << "DELETE FROM data_keys WHERE dossier_id = ?", bind(id.str());
      removed += remove.execute();
    }
    tx.commit();
  } catch (const Poco::Data::DataException& e) {
    keysUnavailable(e);
  }
  for (const auto& id : present) impl_->cache.forget(id.str());
  return removed;
}

KeyStore::Status KeyStore::status() const {
  Status status;
  auto session = impl_->readers->acquire();
  status.active = Impl::activeVersion(*session);
  std::vector<Poco::Int64> versions, counts;
  *session << "SELECT wrap_version, COUNT(*) FROM data_keys GROUP BY wrap_version", into(versions),
      into(counts), now;
  for (std::size_t i = 0; i < versions.size(); ++i)
    status.data_keys[static_cast<Version>(versions[i])] = static_cast<std::size_t>(counts[i]);
  Poco::Int64 root = 0;
  *session << "SELECT wrap_version FROM root_key", into(root), now;
  status.root = static_cast<Version>(root);
  status.root_is_master_v1 = impl_->root_is_master_v1;
  return status;
}

KeyStore::Rotation KeyStore::rotate(const std::filesystem::path& key_file,
                                    std::optional<std::size_t> max_keys) {
  Rotation rotation;
  auto keys = crypto::MasterKeys::loadFile(key_file);
  std::map<Version, std::size_t> used;
  {
    std::lock_guard lock(impl_->write_mutex);
    used = impl_->usage(impl_->writer);
  }
  const bool pending =
      keys.versions().size() > 1 || std::any_of(used.begin(), used.end(), [&](const auto& entry) {
        return entry.first != keys.current() && entry.second > 0;
      });
  rotation.resumed = pending;
  // The new version is in the key file before anything is wrapped under it: a process that meets
  // it reloads the file and finds it.
  if (!pending) {
    keys = keys.withNewVersion();
    keys.replaceFile(key_file);
  }
  rotation.to = keys.current();
  const auto old_versions = keys.versions();
  impl_->install(std::move(keys));
  {
    std::lock_guard lock(impl_->write_mutex);
    ImmediateTransaction tx(impl_->writer);
    impl_->insertCheck(impl_->writer, *impl_->wrappersFor(rotation.to), rotation.to);
    tx.commit();
  }
  while (!max_keys || rotation.rewrapped < *max_keys) {
    const auto limit =
        max_keys ? std::min(kRotationBatch, *max_keys - rotation.rewrapped) : kRotationBatch;
    const auto done = impl_->rewrapBatch(rotation.to, limit);
    rotation.rewrapped += done;
    if (done == 0) break;
  }
  {
    std::lock_guard lock(impl_->write_mutex);
    for (const auto& [version, count] : impl_->usage(impl_->writer))
      if (version != rotation.to) rotation.remaining += count;
  }
  if (rotation.remaining > 0 || !impl_->retireAllBut(rotation.to)) return rotation;
  for (const auto version : old_versions)
    if (version != rotation.to) rotation.retired.push_back(version);
  impl_->wrappersFor(rotation.to)->master.only(rotation.to).replaceFile(key_file);
  return rotation;
}

}  // namespace passerelle::store
