#include "passerelle/store/key_store.hpp"

#include <Poco/Logger.h>
#include <sodium.h>

#include <algorithm>
#include <mutex>
#include <stdexcept>

#include "data_key_cache.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/aead.hpp"
#include "pg_database.hpp"
#include "pg_migrations.hpp"
#include "sqlite_database.hpp"

namespace passerelle::store {

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

std::string_view viewOf(const crypto::SecretKey& key) {
  return {reinterpret_cast<const char*>(key.data()), crypto::SecretKey::kSize};
}

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

// Where the keys are: a SQLite file, or a PostgreSQL database of their own.
std::shared_ptr<SqlDatabase> openKeyDatabase(const KeyStore::Options& options) {
  if (!options.postgres_url.empty())
    return std::make_shared<PgDatabase>(
        PgDatabase::Options{options.postgres_url, options.postgres_pool,
                            options.postgres_migrate ? &detail::postgresKeyMigrations() : nullptr,
                            "data_keys", /*outbox=*/false});
  return std::make_shared<SqliteSerialDatabase>(options.file, detail::sqliteKeyMigrations(), 2);
}

std::int64_t asInteger(Version version) {
  return static_cast<std::int64_t>(version);
}

}  // namespace

struct KeyStore::Impl {
  Impl(Options o, crypto::MasterKeys master)
      : options(std::move(o)),
        db(openKeyDatabase(options)),
        wrappers(std::make_shared<const Wrappers>(std::move(master))) {}

  std::string where() const {
    return options.postgres_url.empty() ? options.file.string() : "the key database";
  }

  // Every write: one at a time across the processes and nodes sharing the keys (SQLite's
  // BEGIN IMMEDIATE does it there; a lock held until commit on PostgreSQL), so that what the
  // write reads (the active version, the keys left to re-wrap) cannot change before it writes.
  void write(const std::function<void(SqlConnection&)>& work) {
    db->write([&](SqlConnection& c) {
      c.serialise("passerelle-keys");
      work(c);
    });
  }

  // Every version `keys` shares with the store must open its check; a store whose checks it
  // cannot open at all was wrapped by another master key.
  void verifyChecks(SqlConnection& c, const Wrappers& keys) const {
    struct Check {
      Version version;
      crypto::Bytes sealed;
    };
    const auto checks =
        collect<Check>(c, "SELECT wrap_version, sealed FROM key_checks", {}, [](const SqlRows& r) {
          return Check{static_cast<Version>(r.integer(0)), r.blob(1)};
        });
    for (const auto& check : checks) {
      const auto* wrap = keys.find(check.version);
      if (wrap == nullptr) continue;
      bool opens = false;
      try {
        opens = wrap->open(check.sealed, checkAssociated(check.version)) == kCheckText;
      } catch (const core::DomainError&) {
      }
      if (!opens)
        throw core::DomainError(
            core::ErrorKind::configuration,
            "the master key given is not the one that wrapped the data keys in " + where() +
                " (wrong key file or PASSERELLE_MASTER_KEY?)");
    }
  }

  static void insertCheck(SqlConnection& c, const Wrappers& keys, Version version) {
    c.execute(
        "INSERT INTO key_checks (wrap_version, sealed) VALUES (?, ?) "
        "ON CONFLICT (wrap_version) DO NOTHING",
        {asInteger(version), keys.find(version)->seal(kCheckText, checkAssociated(version))});
  }

  // How many keys each version wraps, the root key included.
  static std::map<Version, std::size_t> usage(SqlConnection& c) {
    std::map<Version, std::size_t> out;
    auto rows = c.query(
        "SELECT wrap_version, COUNT(*) FROM data_keys GROUP BY wrap_version "
        "UNION ALL SELECT wrap_version, 1 FROM root_key");
    while (rows->next())
      out[static_cast<Version>(rows->integer(0))] += static_cast<std::size_t>(rows->integer(1));
    return out;
  }

  // At open: the checks, then every version in use must be in the key file (a clear refusal at
  // start rather than an integrity error on some dossiers later), then the root key.
  void open() {
    const auto& keys = *wrappers;
    write([&](SqlConnection& c) {
      auto count = c.query("SELECT COUNT(*) FROM key_checks");
      const bool fresh = !count->next() || count->integer(0) == 0;
      count.reset();
      if (fresh) insertCheck(c, keys, keys.master.current());
      verifyChecks(c, keys);
      for (const auto& [version, used] : usage(c))
        if (!keys.master.has(version))
          throw core::DomainError(core::ErrorKind::configuration,
                                  "the master key lacks version " + std::to_string(version) +
                                      ", which still wraps " + std::to_string(used) + " keys in " +
                                      where() + " (a key file from before a rotation?)");
      loadOrCreateRoot(c, keys, !fresh || options.existing_data);
    });
  }

  void loadOrCreateRoot(SqlConnection& c, const Wrappers& keys, bool adopt_master_v1) {
    auto rows = c.query("SELECT wrap_version, wrapped, origin FROM root_key");
    if (rows->next()) {
      const auto version = static_cast<Version>(rows->integer(0));
      root.emplace(unwrapKey(*keys.find(version), rows->blob(1), rootAssociated(version)));
      root_is_master_v1 = rows->text(2) == "master-v1";
      return;
    }
    rows.reset();
    if (adopt_master_v1 && !keys.master.has(1))
      throw core::DomainError(core::ErrorKind::configuration,
                              "the data in " + where() +
                                  " was indexed under master key version 1, which the key given "
                                  "lacks");
    root.emplace(adopt_master_v1 ? keys.master.copyKey(1) : crypto::SecretKey::random());
    root_is_master_v1 = adopt_master_v1;
    const auto active = activeVersion(c);
    c.execute(
        "INSERT INTO root_key (id, wrap_version, wrapped, origin) VALUES (1, ?, ?, ?)",
        {asInteger(active), keys.find(active)->seal(viewOf(root->secret()), rootAssociated(active)),
         std::string(adopt_master_v1 ? "master-v1" : "random")});
  }

  static Version activeVersion(SqlConnection& c) {
    auto rows = c.query("SELECT MAX(wrap_version) FROM key_checks");
    return rows->next() && !rows->isNull(0) ? static_cast<Version>(rows->integer(0)) : 0;
  }

  // The master keys in memory, reloaded if they lack `version` (another process rotated).
  std::shared_ptr<const Wrappers> wrappersFor(Version version) const {
    std::lock_guard lock(wrappers_mutex);
    if (wrappers->find(version) != nullptr) return wrappers;
    if (options.reload) {
      auto reloaded = std::make_shared<const Wrappers>(options.reload());
      db->read([&](SqlConnection& c) { verifyChecks(c, *reloaded); });
      wrappers = reloaded;
      if (wrappers->find(version) != nullptr) return wrappers;
    }
    throw core::DomainError(core::ErrorKind::integrity,
                            "a key is wrapped under master key version " + std::to_string(version) +
                                ", which the master key given lacks");
  }

  void install(crypto::MasterKeys keys) {
    auto fresh = std::make_shared<const Wrappers>(std::move(keys));
    db->read([&](SqlConnection& c) { verifyChecks(c, *fresh); });
    std::lock_guard lock(wrappers_mutex);
    wrappers = fresh;
  }

  // Re-wraps the root key and up to `limit` data keys not under `to`, in one transaction.
  // Returns how many data keys it re-wrapped.
  std::size_t rewrapBatch(Version to, std::size_t limit) {
    std::size_t done = 0;
    write([&](SqlConnection& c) {
      const auto keys = wrappersFor(to);
      const auto& target = *keys->find(to);
      auto root_rows =
          c.query("SELECT wrap_version FROM root_key WHERE wrap_version <> ?", {asInteger(to)});
      const bool root_behind = root_rows->next();
      root_rows.reset();
      if (root_behind)
        c.execute("UPDATE root_key SET wrap_version = ?, wrapped = ?",
                  {asInteger(to), target.seal(viewOf(root->secret()), rootAssociated(to))});
      struct Wrapped {
        std::string id;
        Version version;
        crypto::Bytes wrapped;
      };
      const auto rows = collect<Wrapped>(
          c,
          "SELECT dossier_id, wrap_version, wrapped FROM data_keys WHERE wrap_version <> ? "
          "LIMIT ?",
          {asInteger(to), static_cast<std::int64_t>(limit)}, [](const SqlRows& r) {
            return Wrapped{r.text(0), static_cast<Version>(r.integer(1)), r.blob(2)};
          });
      for (const auto& row : rows) {
        const auto key = unwrapKey(*wrappersFor(row.version)->find(row.version), row.wrapped,
                                   dataKeyAssociated(row.id, row.version));
        c.execute("UPDATE data_keys SET wrap_version = ?, wrapped = ? WHERE dossier_id = ?",
                  {asInteger(to), target.seal(viewOf(key), dataKeyAssociated(row.id, to)), row.id});
      }
      done = rows.size();
    });
    return done;
  }

  // Removes the checks of every version but `to`, if nothing is wrapped under them any more.
  bool retireAllBut(Version to) {
    bool retired = false;
    write([&](SqlConnection& c) {
      for (const auto& [version, count] : usage(c))
        if (version != to && count > 0) return;
      c.execute("DELETE FROM key_checks WHERE wrap_version <> ?", {asInteger(to)});
      retired = true;
    });
    return retired;
  }

  std::map<Version, std::size_t> currentUsage() {
    std::map<Version, std::size_t> used;
    db->read([&](SqlConnection& c) { used = usage(c); });
    return used;
  }

  Options options;
  std::shared_ptr<SqlDatabase> db;
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

// The keys could not take a write: the caller's change is refused, and may be retried.
[[noreturn]] void keysUnavailable(const core::DomainError& e) {
  Poco::Logger::get("passerelle.store").error("data keys not writable: %s", std::string(e.what()));
  throw core::DomainError(core::ErrorKind::unavailable,
                          "the data keys could not be written (full disk or I/O error); nothing "
                          "was changed, retry later");
}

}  // namespace

crypto::SecretKey KeyStore::createDataKey(const core::DossierId& id) {
  auto key = crypto::SecretKey::random();
  try {
    impl_->write([&](SqlConnection& c) {
      // Read inside the write transaction: a rotation that registers a new version and a
      // creation are ordered, so no key lands under a version being retired.
      const auto active = Impl::activeVersion(c);
      c.execute(
          "INSERT INTO data_keys (dossier_id, wrap_version, wrapped, created_at) "
          "VALUES (?, ?, ?, ?)",
          {id.str(), asInteger(active),
           impl_->wrappersFor(active)->find(active)->seal(viewOf(key),
                                                          dataKeyAssociated(id.str(), active)),
           core::nowUtc()});
    });
  } catch (const core::DomainError& e) {
    if (e.kind() == core::ErrorKind::unavailable) keysUnavailable(e);
    throw;
  }
  return key;
}

std::optional<crypto::SecretKey> KeyStore::findDataKey(const core::DossierId& id) const {
  if (auto cached = impl_->cache.find(id.str())) return cached;
  const auto ticket = impl_->cache.ticket();
  std::optional<std::pair<crypto::Bytes, Version>> stored;
  impl_->db->read([&](SqlConnection& c) {
    auto rows =
        c.query("SELECT wrapped, wrap_version FROM data_keys WHERE dossier_id = ?", {id.str()});
    if (rows->next()) stored.emplace(rows->blob(0), static_cast<Version>(rows->integer(1)));
  });
  if (!stored) return std::nullopt;
  const auto& [wrapped, version] = *stored;
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
    impl_->db->read([&](SqlConnection& c) { impl_->verifyChecks(c, *keys); });
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::size_t KeyStore::destroyDataKeys(const std::vector<core::DossierId>& ids) {
  std::vector<core::DossierId> present;
  impl_->db->read([&](SqlConnection& c) {
    for (const auto& id : ids)
      if (c.query("SELECT 1 FROM data_keys WHERE dossier_id = ?", {id.str()})->next())
        present.push_back(id);
  });
  if (present.empty()) return 0;  // no write: a start on a full disk still opens
  std::size_t removed = 0;
  try {
    impl_->write([&](SqlConnection& c) {
      removed = 0;
      for (const auto& id : present)
        removed += static_cast<std::size_t>(
            c.execute("DELETE FROM data_keys WHERE dossier_id = ?", {id.str()}));
    });
  } catch (const core::DomainError& e) {
    if (e.kind() == core::ErrorKind::unavailable) keysUnavailable(e);
    throw;
  }
  for (const auto& id : present) impl_->cache.forget(id.str());
  return removed;
}

KeyStore::Status KeyStore::status() const {
  Status status;
  impl_->db->read([&](SqlConnection& c) {
    status.active = Impl::activeVersion(c);
    auto rows = c.query("SELECT wrap_version, COUNT(*) FROM data_keys GROUP BY wrap_version");
    while (rows->next())
      status.data_keys[static_cast<Version>(rows->integer(0))] =
          static_cast<std::size_t>(rows->integer(1));
    rows.reset();
    auto root = c.query("SELECT wrap_version FROM root_key");
    if (root->next()) status.root = static_cast<Version>(root->integer(0));
  });
  status.root_is_master_v1 = impl_->root_is_master_v1;
  return status;
}

KeyStore::Rotation KeyStore::rotate(const std::filesystem::path& key_file,
                                    std::optional<std::size_t> max_keys,
                                    const std::function<bool(Version)>& ready) {
  Rotation rotation;
  auto keys = crypto::MasterKeys::loadFile(key_file);
  const auto used = impl_->currentUsage();
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
  if (ready && !ready(rotation.to)) {
    rotation.waiting = true;
    return rotation;
  }
  const auto old_versions = keys.versions();
  impl_->install(std::move(keys));
  impl_->write([&](SqlConnection& c) {
    Impl::insertCheck(c, *impl_->wrappersFor(rotation.to), rotation.to);
  });
  while (!max_keys || rotation.rewrapped < *max_keys) {
    const auto limit =
        max_keys ? std::min(kRotationBatch, *max_keys - rotation.rewrapped) : kRotationBatch;
    const auto done = impl_->rewrapBatch(rotation.to, limit);
    rotation.rewrapped += done;
    if (done == 0) break;
  }
  for (const auto& [version, count] : impl_->currentUsage())
    if (version != rotation.to) rotation.remaining += count;
  if (rotation.remaining > 0 || !impl_->retireAllBut(rotation.to)) return rotation;
  for (const auto version : old_versions)
    if (version != rotation.to) rotation.retired.push_back(version);
  impl_->wrappersFor(rotation.to)->master.only(rotation.to).replaceFile(key_file);
  return rotation;
}

}  // namespace passerelle::store
