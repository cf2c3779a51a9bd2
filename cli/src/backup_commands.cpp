// `passerelle backup` and `passerelle restore`: a SQLite store copied while the gateway serves,
// and put back once it is stopped (docs/operations.md).
#include <iostream>

#include "commands.hpp"
#include "passerelle/app/backup.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::cli {

void addBackupCommands(CLI::App& program, ExitStatus& exit) {
  struct Options {
    std::string config, dir;
  };
  auto backup_options = std::make_shared<Options>();
  auto* backup = program.add_subcommand(
      "backup",
      "Copy the store, the data keys (into DIR/keys/, to keep apart) and the audit log into a new "
      "directory, while the gateway serves: each a consistent snapshot (SQLite's online backup), "
      "with backup.json listing their SHA-256. The master key is not copied: back it up on its "
      "own. A PostgreSQL store is backed up with pg_dump (docs/operations.md).");
  backup->add_option("--config", backup_options->config, "the configuration file")->required();
  backup->add_option("--out", backup_options->dir, "a new (or empty) directory")->required();
  backup->callback([backup_options, &exit] {
    const auto report =
        app::backupStore(gateway::loadConfig(backup_options->config), backup_options->dir);
    for (const auto& f : report.files)
      std::cout << f.name << ": " << f.bytes << " bytes, sha256 " << f.sha256 << "\n";
    std::cout << "backed up into " << backup_options->dir << "; the audit log's copy holds "
              << report.audit_entries << " entries\n";
    exit.value = 0;
  });

  auto restore_options = std::make_shared<Options>();
  auto* restore = program.add_subcommand(
      "restore",
      "Put a backup made by `passerelle backup` in place of the configured store, data keys and "
      "audit log, the gateway stopped. Each file is checked against backup.json, the configured "
      "master key must open the copied keys and the copied audit log must verify against the "
      "gateway's key before anything is replaced.");
  restore->add_option("--config", restore_options->config, "the configuration file")->required();
  restore->add_option("--from", restore_options->dir, "the backup directory")->required();
  restore->callback([restore_options, &exit] {
    const auto report =
        app::restoreStore(gateway::loadConfig(restore_options->config), restore_options->dir);
    for (const auto& file : report.restored) std::cout << "restored " << file.string() << "\n";
    std::cout << "OK: the audit log verifies, " << report.audit_entries
              << " entries; start the gateway\n";
    exit.value = 0;
  });
}

}  // namespace passerelle::cli
