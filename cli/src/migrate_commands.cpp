// `passerelle migrate`: a whole SQLite store moved to PostgreSQL (issue 23), beside no serving
// gateway.
#include <iostream>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/store/store_migration.hpp"

namespace passerelle::cli {

namespace {

// The part after `prefix`, which the option must start with. A PostgreSQL URI may also be given
// as it is (`postgresql://host/db` rather than `postgresql:postgresql://host/db`).
std::string after(const std::string& value, const std::string& prefix, const char* option) {
  if (prefix == "postgresql:" &&
      (value.rfind("postgresql://", 0) == 0 || value.rfind("postgres://", 0) == 0))
    return value;
  if (value.rfind(prefix, 0) != 0 || value.size() == prefix.size())
    throw UsageError(std::string(option) + " takes " + prefix + "...");
  return value.substr(prefix.size());
}

struct MigrateOptions {
  std::string from, to, keys_to;
};

int migrate(const MigrateOptions& options) {
  const auto config = gateway::loadConfig(after(options.from, "sqlite:", "--from"));
  if (config.postgresql)
    throw UsageError("--from names a configuration whose store is already PostgreSQL");
  const store::PostgresOptions to{after(options.to, "postgresql:", "--to"),
                                  after(options.keys_to, "postgresql:", "--keys-to"), 2, true};
  // Opening the application takes the store's lock (refused beside a serving gateway), records
  // what a stopped process left in the audit outbox, and gives the audit log its tiles: the
  // source is then whole and still while it is copied.
  const app::Application source(config);
  const auto report = store::migrateSqliteToPostgres(
      {config.sqlite_file}, app::auditFile(config), to,
      [](const std::string& step) { std::cout << "  " << step << "\n"; });
  std::cout << (report.resumed ? "resumed an earlier migration; " : "") << "copied "
            << report.audit_copied << " audit entries (the log holds " << report.audit_entries
            << ")\n";
  // The roots agree, and the target's log verifies on its own, against the gateway's key.
  const auto target = store::openPostgresAuditStore({to.url, std::nullopt, false});
  auto log = audit::storeSource(*target);
  audit::VerifyOptions verify;
  verify.public_key = source.signer().publicKeyHex();
  const auto verified = audit::verifyLog(*log, verify);
  if (!verified.ok()) {
    std::cout << "FAILED: the audit log in PostgreSQL does not verify:\n";
    for (const auto& p : verified.problems) std::cout << "  - " << p << "\n";
    return 1;
  }
  std::cout << "OK: the audit log verifies in PostgreSQL, " << verified.entries
            << " entries; latest checkpoint root "
            << (report.root_hash.empty() ? "(none yet)" : report.root_hash)
            << ", the same as in SQLite\n"
            << "next: set store.postgresql in the configuration (docs/configuration.md) and start "
               "the nodes\n";
  return 0;
}

}  // namespace

void addMigrateCommand(CLI::App& program, ExitStatus& exit) {
  auto options = std::make_shared<MigrateOptions>();
  auto* migrate_command = program.add_subcommand(
      "migrate",
      "Move a whole SQLite store to PostgreSQL: the dossiers' database as stored (sections stay "
      "sealed), the keys into the key database, the audit log entry by entry, checking that the "
      "roots agree. Resumable: run it again after an interruption. Refused beside a serving "
      "gateway, and into a database a gateway node serves.");
  migrate_command->add_option("--from", options->from, "sqlite:CONFIG, the source's configuration")
      ->required();
  migrate_command
      ->add_option("--to", options->to,
                   "postgresql:URL (or a postgresql:// URI as it is), the dossiers' database "
                   "(empty, or this migration's)")
      ->required();
  migrate_command
      ->add_option("--keys-to", options->keys_to,
                   "postgresql:URL (or a postgresql:// URI), the keys' database, another one "
                   "with its own role")
      ->required();
  migrate_command->callback([options, &exit] { exit.value = migrate(*options); });
}

}  // namespace passerelle::cli
