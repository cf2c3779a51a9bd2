// `passerelle audit ...`: the public key, verification of the store or of an export, export,
// retention.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "cli.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::gateway {

namespace {

// Where the log is, and the key that should have signed it, from the options.
struct LogLocation {
  std::optional<std::filesystem::path> store;
  std::optional<std::filesystem::path> file;
  std::optional<std::string> public_key;
  std::optional<GatewayConfig> config;
};

bool readLocation(const std::vector<std::string>& args, std::size_t& i, LogLocation& where) {
  if (args[i] == "--config") {
    where.config = loadConfig(valueOf(args, i));
    where.store = app::auditFile(*where.config);
    where.public_key = app::gatewayPublicKey(*where.config);
  } else if (args[i] == "--store") {
    where.store = valueOf(args, i);
  } else if (args[i] == "--file") {
    where.file = valueOf(args, i);
  } else if (args[i] == "--public-key") {
    where.public_key = valueOf(args, i);
  } else {
    return false;
  }
  return true;
}

std::unique_ptr<store::AuditStore> openExisting(const std::filesystem::path& file,
                                                std::optional<int> retention_months = {}) {
  // Verification must not create an empty log where the operator mistyped a path.
  if (!std::filesystem::exists(file)) throw std::runtime_error("no audit log at " + file.string());
  return store::openSqliteAuditStore({file, 1, 10000, retention_months});
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

int verify(const std::vector<std::string>& args) {
  LogLocation where;
  audit::VerifyOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (readLocation(args, i, where)) continue;
    if (args[i] == "--checkpoint")
      options.trusted.push_back(readCheckpoint(valueOf(args, i)));
    else if (args[i] == "--retention-months")
      options.retention_months = std::stoi(valueOf(args, i));
    else
      throw UsageError("unknown option " + args[i]);
  }
  if (where.config && !options.retention_months)
    options.retention_months = where.config->audit.retention_months;
  if (static_cast<int>(where.store.has_value()) + static_cast<int>(where.file.has_value()) != 1)
    throw UsageError("audit verify needs one of --config, --store or --file");
  options.public_key = where.public_key;
  std::unique_ptr<store::AuditStore> store;
  std::unique_ptr<audit::LogSource> source;
  if (where.file) {
    source = audit::exportFileSource(*where.file);
  } else {
    store = openExisting(*where.store);
    source = audit::storeSource(*store);
  }
  const auto report = audit::verifyLog(*source, options);
  std::cout << "audit log " << (where.file ? where.file->string() : where.store->string()) << ": "
            << report.entries << " entries (" << report.pruned << " pruned by retention), "
            << report.checkpoints << " checkpoints\n";
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

int exportLogCommand(const std::vector<std::string>& args) {
  LogLocation where;
  std::optional<std::filesystem::path> out;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (readLocation(args, i, where)) continue;
    if (args[i] == "--out")
      out = valueOf(args, i);
    else
      throw UsageError("unknown option " + args[i]);
  }
  if (!where.store || !out) throw UsageError("audit export needs --config or --store, and --out");
  if (std::filesystem::exists(*out))
    throw std::runtime_error(out->string() + " exists; the export never overwrites a file");
  auto store = openExisting(*where.store);
  std::ofstream file(*out);
  if (!file) throw std::runtime_error("cannot write " + out->string());
  const auto count = audit::exportLog(*store, file);
  std::cout << "exported " << count << " entries to " << out->string() << "\n";
  return 0;
}

int prune(const std::vector<std::string>& args) {
  std::optional<GatewayConfig> config;
  std::optional<std::string> before;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config")
      config = loadConfig(valueOf(args, i));
    else if (args[i] == "--before")
      before = valueOf(args, i);
    else
      throw UsageError("unknown option " + args[i]);
  }
  if (!config) throw UsageError("audit prune needs --config FILE");
  const auto limit = before ? core::parseUtc(*before)
                            : core::monthsBefore(core::nowUtc(), config->audit.retention_months);
  if (!limit) throw UsageError("--before takes a date (YYYY-MM-DD)");
  auto store = openExisting(app::auditFile(*config), config->audit.retention_months);
  const auto pruned = store->pruneBefore(*limit);
  std::cout << "pruned the content of " << pruned << " entries dated before " << *limit
            << "; their leaf hashes stay, so proofs still verify\n";
  return 0;
}

}  // namespace

int auditCommand(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("audit needs pubkey, verify, export or prune");
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "pubkey") {
    if (rest.size() != 2 || rest[0] != "--config") throw UsageError("audit pubkey --config FILE");
    std::cout << app::gatewayPublicKey(loadConfig(rest[1])) << "\n";
    return 0;
  }
  if (args[0] == "verify") return verify(rest);
  if (args[0] == "export") return exportLogCommand(rest);
  if (args[0] == "prune") return prune(rest);
  throw UsageError("unknown audit command " + args[0]);
}

}  // namespace passerelle::gateway
