#include "data_keys.hpp"

#include <Poco/Data/LOB.h>
#include <sodium.h>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "sqlite_connection_pool.hpp"
#include "sqlite_migrations.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;

namespace {

std::string associatedData(const core::DossierId& id, std::int64_t wrap_version) {
  return "passerelle/data-key/v1|" + id.str() + "|" + std::to_string(wrap_version);
}

Poco::Data::Session openMigrated(const std::filesystem::path& file) {
  auto session = SqliteConnectionPool::open(file);
  migrateSqlite(session, detail::sqliteKeyMigrations());
  return session;
}

}  // namespace

DataKeys::DataKeys(const std::filesystem::path& file, const crypto::MasterKey& master)
    : wrap_(master.derive(crypto::KeyUse::data_key_wrap, kWrapVersion)),
      session_(openMigrated(file)),
      readers_(file, 2) {
  checkMasterKey(file);
}

void DataKeys::checkMasterKey(const std::filesystem::path& file) {
  constexpr std::string_view kCheck = "passerelle data keys";
  const std::string associated = "passerelle/key-check/v1|" + std::to_string(kWrapVersion);
  std::vector<Poco::Data::BLOB> sealed;
  session_ << "SELECT sealed FROM key_checks WHERE wrap_version = ?", bind(kWrapVersion),
      into(sealed), now;
  if (sealed.empty()) {
    const auto fresh = wrap_.seal(kCheck, associated);
    session_ << "INSERT INTO key_checks (wrap_version, sealed) VALUES (?, ?)", bind(kWrapVersion),
        bind(Poco::Data::BLOB(fresh.data(), fresh.size())), now;
    return;
  }
  const auto& blob = sealed.front().content();
  bool opens = false;
  try {
    opens = wrap_.open(crypto::Bytes(blob.begin(), blob.end()), associated) == kCheck;
  } catch (const core::DomainError&) {
  }
  if (!opens)
    throw std::runtime_error("the master key given is not the one that wrapped the data keys in " +
                             file.string() + " (wrong key file or PASSERELLE_MASTER_KEY?)");
}

crypto::SecretKey DataKeys::create(const core::DossierId& id) {
  auto key = crypto::SecretKey::random();
  const auto wrapped = wrap_.seal(
      std::string_view(reinterpret_cast<const char*>(key.data()), crypto::SecretKey::kSize),
      associatedData(id, kWrapVersion));
  std::lock_guard lock(write_mutex_);
  session_ << "INSERT INTO data_keys (dossier_id, wrap_version, wrapped, created_at) "
              "VALUES (?, ?, ?, ?)",
      bind(id.str()), bind(kWrapVersion), bind(Poco::Data::BLOB(wrapped.data(), wrapped.size())),
      bind(core::nowUtc()), now;
  return key;
}

std::optional<crypto::SecretKey> DataKeys::find(const core::DossierId& id) const {
  std::vector<Poco::Data::BLOB> wrapped;
  std::vector<Poco::Int64> versions;
  {
    auto session = readers_.acquire();
    *session << "SELECT wrapped, wrap_version FROM data_keys WHERE dossier_id = ?", bind(id.str()),
        into(wrapped), into(versions), now;
  }
  if (wrapped.empty()) return std::nullopt;
  if (versions.front() != kWrapVersion)
    throw core::DomainError(core::ErrorKind::integrity,
                            "a data key is wrapped under an unknown key version");
  const auto& blob = wrapped.front().content();
  auto raw =
      wrap_.open(crypto::Bytes(blob.begin(), blob.end()), associatedData(id, versions.front()));
  if (raw.size() != crypto::SecretKey::kSize)
    throw core::DomainError(core::ErrorKind::integrity, "a stored data key has the wrong size");
  auto key = crypto::SecretKey::fromBytes(reinterpret_cast<const std::uint8_t*>(raw.data()));
  sodium_memzero(raw.data(), raw.size());
  return key;
}

bool DataKeys::destroy(const core::DossierId& id) {
  std::lock_guard lock(write_mutex_);
  Poco::Data::Statement remove(session_);
  remove << "DELETE FROM data_keys WHERE dossier_id = ?", bind(id.str());
  return remove.execute() > 0;
}

}  // namespace passerelle::store
