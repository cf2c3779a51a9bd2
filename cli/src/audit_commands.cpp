// `passerelle audit ...`: the public key, verification of the store or of an export, export,
// retention.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::cli {

using gateway::GatewayConfig;
using gateway::loadConfig;

namespace {

// Where the log is, and the key that should have signed it, from the options.
struct LogLocation {
  std::optional<std::filesystem::path> store;
  std::optional<std::filesystem::path> file;
  std::optional<std::string> public_key;
  std::optional<GatewayConfig> config;
};

// The options that say where the log is: a configuration, a store file or an export.
struct LocationOptions {
  std::string config, store, file, public_key;
};

void addLocationOptions(CLI::App* command, LocationOptions& options, bool with_file) {
  auto* config = command->add_option("--config", options.config, "a gateway's configuration file");
  auto* store = command->add_option("--store", options.store, "the audit log's SQLite file");
  store->excludes(config);
  if (with_file)
    command->add_option("--file", options.file, "a log exported by `audit export`")
        ->excludes(config)
        ->excludes(store);
  command->add_option("--public-key", options.public_key,
                      "the key the checkpoints must be signed with (hex)");
}

LogLocation locate(const LocationOptions& options) {
  LogLocation where;
  if (!options.config.empty()) {
    where.config = loadConfig(options.config);
    if (!where.config->postgresql) where.store = app::auditFile(*where.config);
    where.public_key = app::gatewayPublicKey(*where.config);
  }
  if (!options.store.empty()) where.store = options.store;
  if (!options.file.empty()) where.file = options.file;
  if (!options.public_key.empty()) where.public_key = options.public_key;
  return where;
}

std::unique_ptr<store::AuditStore> openExisting(const std::filesystem::path& file,
                                                std::optional<int> retention_months = {}) {
  // Verification must not create an empty log where the operator mistyped a path.
  if (!std::filesystem::exists(file)) throw std::runtime_error("no audit log at " + file.string());
  return store::openSqliteAuditStore({file, 1, 10000, retention_months});
}

// A configuration's PostgreSQL log, or a SQLite file.
bool inPostgres(const LogLocation& where) {
  return where.config && where.config->postgresql;
}

std::unique_ptr<store::AuditStore> openLog(const LogLocation& where) {
  if (inPostgres(where)) return app::openAuditStore(*where.config);
  return openExisting(*where.store);
}

std::string nameOf(const LogLocation& where) {
  if (where.file) return where.file->string();
  return inPostgres(where) ? std::string("in PostgreSQL") : where.store->string();
}

audit::Checkpoint readCheckpoint(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  try {
    return audit::Checkpoint::fromJson(nlohmann::json::parse(in));
  } catch (const nlohmann::json::exception&) {  // a syntax error, or a number out of range
    throw std::runtime_error(path + " is not a checkpoint (not JSON)");
  } catch (const audit::AuditFormatError& e) {
    throw std::runtime_error(path + ": " + e.what());
  }
}

int verify(LogLocation where, audit::VerifyOptions options) {
  if (where.config && !options.retention_months)
    options.retention_months = where.config->audit.retention_months;
  if (static_cast<int>(where.store.has_value() || inPostgres(where)) +
          static_cast<int>(where.file.has_value()) !=
      1)
    throw UsageError("audit verify needs one of --config, --store or --file");
  options.public_key = where.public_key;
  std::unique_ptr<store::AuditStore> store;
  std::unique_ptr<audit::LogSource> source;
  if (where.file) {
    source = audit::exportFileSource(*where.file);
  } else {
    store = openLog(where);
    source = audit::storeSource(*store);
  }
  const auto report = audit::verifyLog(*source, options);
  std::cout << "audit log " << nameOf(where) << ": " << report.entries << " entries ("
            << report.pruned << " pruned by retention), " << report.checkpoints << " checkpoints\n";
  if (!options.public_key)
    std::cout << "warning: signatures were checked against the keys the checkpoints name; give "
                 "--public-key (see `passerelle audit pubkey`) to check they are the gateway's\n";
  if (report.ok()) {
    std::cout << "OK: every entry matches its position and leaf hash, every checkpoint its "
                 "signature and the tree\n";
    return 0;
  }
  std::cout << "FAILED";
  if (report.first_bad_entry)
    std::cout << ": the first entry that does not verify is #" << *report.first_bad_entry;
  std::cout << "\n";
  for (const auto& p : report.problems) std::cout << "  - " << p << "\n";
  return 1;
}

void exportLog(const LogLocation& where, const std::filesystem::path& out) {
  if (!where.store && !inPostgres(where))
    throw UsageError("audit export needs --config or --store");
  if (std::filesystem::exists(out))
    throw std::runtime_error(out.string() + " exists; the export never overwrites a file");
  auto store = openLog(where);
  std::ofstream file(out);
  if (!file) throw std::runtime_error("cannot write " + out.string());
  const auto count = audit::exportLog(*store, file);
  std::cout << "exported " << count << " entries to " << out.string() << "\n";
}

void prune(const GatewayConfig& config, const std::string& before) {
  const auto limit = !before.empty()
                         ? core::parseUtc(before)
                         : core::monthsBefore(core::nowUtc(), config.audit.retention_months);
  if (!limit) throw UsageError("--before takes a date (YYYY-MM-DD)");
  auto store = config.postgresql
                   ? app::openAuditStore(config)
                   : openExisting(app::auditFile(config), config.audit.retention_months);
  const auto pruned = store->pruneBefore(*limit);
  std::cout << "pruned the content of " << pruned << " entries dated before " << *limit
            << "; their leaf hashes stay, so proofs still verify\n";
}

}  // namespace

void addAuditCommands(CLI::App& program, ExitStatus& exit) {
  auto* audit = program.add_subcommand("audit", "The audit log, checked and kept.");
  audit->require_subcommand(1);

  auto config = std::make_shared<std::string>();
  auto* pubkey = audit->add_subcommand(
      "pubkey", "The gateway's public key: the one audit checkpoints are signed with.");
  pubkey->add_option("--config", *config, "the configuration file")->required();
  pubkey->callback([config] { std::cout << app::gatewayPublicKey(loadConfig(*config)) << "\n"; });

  struct Verify {
    LocationOptions where;
    std::vector<std::string> checkpoints;
    int retention_months = 0;
  };
  auto v = std::make_shared<Verify>();
  auto* verify_command = audit->add_subcommand(
      "verify",
      "Recompute the audit log's Merkle tree, check every entry, every checkpoint's signature "
      "and root, and (with --checkpoint) checkpoints kept elsewhere, and that only the oldest "
      "entries, older than the retention period (the configuration's, or N), were emptied; names "
      "the first entry that does not verify. Exit status 1 if anything fails.");
  addLocationOptions(verify_command, v->where, true);
  verify_command->add_option("--checkpoint", v->checkpoints,
                             "a checkpoint kept elsewhere (repeatable)");
  verify_command
      ->add_option("--retention-months", v->retention_months,
                   "the retention period the emptied entries must be older than")
      ->check(CLI::PositiveNumber);
  verify_command->callback([v, &exit] {
    audit::VerifyOptions options;
    for (const auto& file : v->checkpoints) options.trusted.push_back(readCheckpoint(file));
    if (v->retention_months > 0) options.retention_months = v->retention_months;
    exit.value = verify(locate(v->where), std::move(options));
  });

  struct Export {
    LocationOptions where;
    std::string out;
  };
  auto e = std::make_shared<Export>();
  auto* export_command = audit->add_subcommand(
      "export",
      "Write the log (checkpoints, entries, leaf hashes) to a file that `audit verify` "
      "accepts.");
  addLocationOptions(export_command, e->where, false);
  export_command->add_option("--out", e->out, "the file to write (never overwritten)")->required();
  export_command->callback([e] { exportLog(locate(e->where), e->out); });

  auto before = std::make_shared<std::string>();
  auto* prune_command = audit->add_subcommand(
      "prune",
      "Erase the content of entries older than audit.retention_months (default 12), keeping "
      "their leaf hashes so that proofs still verify.");
  prune_command->add_option("--config", *config, "the configuration file")->required();
  prune_command->add_option("--before", *before, "prune before this date instead (YYYY-MM-DD)");
  prune_command->callback([config, before] { prune(loadConfig(*config), *before); });
}

}  // namespace passerelle::cli
