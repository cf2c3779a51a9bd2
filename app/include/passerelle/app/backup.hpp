#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "passerelle/app/config.hpp"

namespace passerelle::app {

// One file of a backup: its name in the backup directory, its size and SHA-256.
struct BackupFile {
  std::string name;
  std::uintmax_t bytes = 0;
  std::string sha256;
};

struct BackupReport {
  std::vector<BackupFile> files;
  std::uint64_t audit_entries = 0;  // in the audit log's copy
};

// Copies a SQLite gateway's store into `out` (which must not exist, or be empty) while the
// gateway serves (store/sqlite_backup.hpp): `store.db`, then the data keys into `keys/store.keys`
// (apart, so that they can be kept on another medium), then the audit log into `audit.db`, and
// `backup.json` listing them with their hashes. In that order, each copy holds what the earlier
// ones need: the keys of every dossier stored, the entry of every change stored (or its outbox
// row, which the restored gateway records). The master key is not copied: it is backed up on its
// own. Throws core::DomainError: `configuration` for a PostgreSQL store (pg_dump, see
// docs/operations.md) or an `out` that holds files; `unavailable` for a file that cannot be
// read or written (nothing is left in `out` then but what was written before).
BackupReport backupStore(const AppConfig& config, const std::filesystem::path& out);

struct RestoreReport {
  std::vector<std::filesystem::path> restored;  // the files put in place
  std::uint64_t audit_entries = 0;
};

// Puts a backup made by backupStore in place of the configured store, audit log and data keys.
// Refused beside a serving gateway (the store's lock). Every file is checked against
// `backup.json` first, the audit log's copy verified against the gateway's public key (from the
// configured master key, which must open the copied keys), and only then is anything replaced.
// Throws core::DomainError: `unusable_file` naming what does not match, `unavailable`,
// `configuration`.
RestoreReport restoreStore(const AppConfig& config, const std::filesystem::path& from);

}  // namespace passerelle::app
