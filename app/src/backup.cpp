#include "passerelle/app/backup.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

#include "passerelle/app/application.hpp"
#include "passerelle/app/process_lock.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/store/audit_store.hpp"
#include "passerelle/store/sqlite_backup.hpp"
#include "passerelle/store/sqlite_store.hpp"

namespace passerelle::app {

namespace fs = std::filesystem;
using core::DomainError;
using core::ErrorKind;
using nlohmann::json;

namespace {

constexpr const char* kFormat = "passerelle-backup/v1";

// What a backup holds, by its name there, and where each goes in a configured store.
struct Part {
  const char* name;
  fs::path target;
};

std::vector<Part> partsOf(const AppConfig& config) {
  if (config.postgresql)
    throw DomainError(ErrorKind::configuration,
                      "backup and restore copy a SQLite store; a PostgreSQL store is backed up "
                      "with pg_dump of its two databases (docs/operations.md, \"Backup\")");
  // In this order: each copy holds what the ones before it need (see backup.hpp).
  return {{"store.db", config.sqlite_file},
          {"keys/store.keys", store::keysFileOf({config.sqlite_file})},
          {"audit.db", auditFile(config)}};
}

std::uint64_t auditSize(const fs::path& file) {
  return store::openSqliteAuditStore({file, 1, 10000, std::nullopt})->size();
}

}  // namespace

BackupReport backupStore(const AppConfig& config, const fs::path& out) {
  const auto parts = partsOf(config);
  if (fs::exists(out) && !fs::is_empty(out))
    throw DomainError(ErrorKind::configuration,
                      out.string() + " already holds files: give a new directory");
  fs::create_directories(out / "keys");
  fs::permissions(out, fs::perms::owner_all, fs::perm_options::replace);
  fs::permissions(out / "keys", fs::perms::owner_all, fs::perm_options::replace);
  BackupReport report;
  for (const auto& part : parts) {
    store::backupSqliteFile(part.target, out / part.name);
    fs::permissions(out / part.name, fs::perms::owner_read | fs::perms::owner_write,
                    fs::perm_options::replace);
  }
  // Counted on the copy (opened, then closed whole), before the files are hashed.
  report.audit_entries = auditSize(out / "audit.db");
  for (const auto& part : parts)
    report.files.push_back({part.name, fs::file_size(out / part.name),
                            crypto::sha256HexOfFile((out / part.name).string())});
  json files = json::array();
  for (const auto& f : report.files)
    files.push_back({{"name", f.name}, {"bytes", f.bytes}, {"sha256", f.sha256}});
  const json manifest = {{"format", kFormat},
                         {"created_at", core::nowUtc()},
                         {"files", files},
                         {"audit_entries", report.audit_entries}};
  { std::ofstream(out / "backup.json.partial") << manifest.dump(2) << "\n"; }
  fs::rename(out / "backup.json.partial", out / "backup.json");
  return report;
}

RestoreReport restoreStore(const AppConfig& config, const fs::path& from) {
  const auto parts = partsOf(config);
  const ProcessLock lock(localPath(config, "lock"),
                         "the store is in use by another passerelle process; stop the gateway "
                         "before restoring");
  json manifest;
  try {
    std::ifstream in(from / "backup.json");
    if (!in) throw DomainError(ErrorKind::unusable_file, "no backup.json in " + from.string());
    manifest = json::parse(in);
  } catch (const json::exception&) {
    throw DomainError(ErrorKind::unusable_file, (from / "backup.json").string() + " is not JSON");
  }
  if (!manifest.is_object() || manifest.value("format", "") != kFormat ||
      !manifest.contains("files") || !manifest["files"].is_array())
    throw DomainError(ErrorKind::unusable_file,
                      (from / "backup.json").string() + " is not a passerelle backup manifest");
  // Every file as the backup recorded it, before anything is touched.
  for (const auto& part : parts) {
    const json* listed = nullptr;
    for (const auto& f : manifest["files"])
      if (f.is_object() && f.value("name", "") == part.name) listed = &f;
    const auto file = from / part.name;
    if (listed == nullptr || !fs::exists(file))
      throw DomainError(ErrorKind::unusable_file, "the backup has no " + std::string(part.name));
    if (!(*listed)["sha256"].is_string() ||
        crypto::sha256HexOfFile(file.string()) != (*listed)["sha256"].get<std::string>())
      throw DomainError(ErrorKind::unusable_file,
                        file.string() +
                            " is not the file the backup recorded (its SHA-256 "
                            "differs): the backup is damaged");
  }
  // Staged beside each target (same filesystem, so that putting it in place is a rename), and
  // checked there: the configured master key opens the copied keys, whose root key signed the
  // copied log, which verifies.
  std::vector<fs::path> staged;
  const auto stage = [](const fs::path& target) {
    auto path = target;
    path += ".restoring";
    return path;
  };
  RestoreReport report;
  try {
    for (const auto& part : parts) {
      fs::create_directories(part.target.parent_path().empty() ? fs::path(".")
                                                               : part.target.parent_path());
      store::restoreSqliteFile(from / part.name, stage(part.target));
      staged.push_back(stage(part.target));
    }
    std::string public_key;
    {
      const auto keys = store::openKeyStore({staged[0], 1, staged[1]}, loadMasterKeys(config));
      public_key = crypto::Signer(keys->root().derive(crypto::KeyUse::signing)).publicKeyHex();
    }
    {
      auto log = store::openSqliteAuditStore({staged[2], 1, 10000, std::nullopt});
      audit::VerifyOptions options;
      options.public_key = public_key;
      options.retention_months = config.audit.retention_months;
      auto source = audit::storeSource(*log);
      const auto verified = audit::verifyLog(*source, options);
      if (!verified.ok())
        throw DomainError(ErrorKind::unusable_file,
                          "the backup's audit log does not verify: " + verified.problems.front());
      report.audit_entries = verified.entries;
    }
  } catch (...) {
    for (const auto& path : staged) {
      std::error_code ignored;
      for (const char* suffix : {"", "-wal", "-shm"}) {
        auto file = path;
        file += suffix;
        fs::remove(file, ignored);
      }
    }
    throw;
  }
  for (std::size_t i = 0; i < parts.size(); ++i) {
    store::restoreSqliteFile(staged[i], parts[i].target);
    fs::remove(staged[i]);
    report.restored.push_back(parts[i].target);
  }
  return report;
}

}  // namespace passerelle::app
