// The `passerelle` command line: serve, demo.
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <signal.h>

#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cli.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/demo/demo.hpp"
#include "passerelle/dossiers/consent_service.hpp"
#include "passerelle/gateway/config.hpp"
#include "passerelle/gateway/gateway.hpp"
#include "passerelle/policies/explain.hpp"

namespace {

using passerelle::demo::DemoOptions;
using passerelle::gateway::Gateway;
using passerelle::gateway::UsageError;
using passerelle::gateway::valueOf;

constexpr const char* kUsage = R"(usage:
  passerelle serve --config FILE
      Serve the gateway described by a configuration file (see docs/configuration.md).
  passerelle demo [--dir DIR] [--port PORT] [--dossiers N]
      Make (or reuse) a demo directory (default ./demo) with a local CA, partner certificates
      and tokens, a master key and N synthetic dossiers (default 500), then serve it on
      https://127.0.0.1:PORT (default 8443).
  passerelle policy explain [--config FILE | --policy DIR] [--partner-kind K] [--purpose P]
      Print, in French, who may read or write which fields, for which purpose and on which
      legal basis (the record of processing activities, GDPR art. 30). Without --config or
      --policy, the default policy built into this binary.
  passerelle policy check DIR|FILE
      Validate a policy directory, or one policy file (with the default policy's other files);
      the exit status says whether the gateway would accept it.
  passerelle consent verify RECEIPT [--public-key HEX | --config FILE]
      Check a consent receipt's signature (and, with a key, that this gateway signed it).
  passerelle keys init --file FILE
      Create a master key file (version 1: 32 random bytes in hex, mode 600); never overwrites one.
  passerelle keys public --config FILE
      Print the gateway's Ed25519 public key (receipts and audit checkpoints are signed with it).
  passerelle keys status --config FILE
      Which master key version wraps new keys, and how many data keys each version wraps.
  passerelle keys rotate --config FILE [--max-keys N]
      Add a new master key version to the key file and re-wrap every dossier's data key under
      it (sections are not re-encrypted), in small transactions while the gateway serves; then
      retire the old version from the key file. Interrupted (or stopped after N keys), it
      resumes where it was when run again.
  passerelle audit pubkey --config FILE
      The same key: the one audit checkpoints are signed with.
  passerelle audit verify (--config FILE | --store AUDIT_DB | --file EXPORT)
                          [--public-key HEX] [--checkpoint FILE]... [--retention-months N]
      Recompute the audit log's Merkle tree, check every entry, every checkpoint's signature and
      root, and (with --checkpoint) checkpoints kept elsewhere, and that only the oldest entries,
      older than the retention period (the configuration's, or N), were emptied; names the
      first entry that does not verify. Exit status 1 if anything fails.
  passerelle audit export (--config FILE | --store AUDIT_DB) --out FILE
      Write the log (checkpoints, entries, leaf hashes) to a file that `audit verify` accepts.
  passerelle audit prune --config FILE [--before DATE]
      Erase the content of entries older than audit.retention_months (default 12), keeping
      their leaf hashes so that proofs still verify.
  passerelle export keygen --out FILE
      (Évaluateur) Make an X25519 key pair for a study: the secret key in FILE (mode 600),
      the public key printed, for the study's entry in the partner registry.
  passerelle export run --config FILE --as PARTNER --study ID --profile ID --out DIR
                        [--from DATE] [--to DATE] [--reference-date DATE]
      Pseudonymised, k-anonymous export for an évaluateur's study (profiles: annexe-e,
      indicateurs) of the people whose pathway was open during [from, to]: sealed CSV and
      NDJSON, data dictionary, signed manifest, in DIR. Recorded in the audit log; refuses to
      run beside a serving gateway.
  passerelle export open DIR --secret-key FILE --out DIR2 [--public-key HEX]
      (Évaluateur) Verify an export's signed manifest and files, and decrypt it into DIR2.
  passerelle import caf-rsa-xml|france-travail-csv|ndjson FILE --config FILE --as PARTNER
                    [--purpose PURPOSE] [--report FILE] [--dry-run]
      Import a partner file as PARTNER, under the sharing policy, with the API's matching and
      validation (docs/imports.md); prints the report (JSON), exit 3 if records were rejected.
      The default purpose is instruction_rsa (accompagnement for France Travail). Recorded in
      the audit log; refuses to run beside a serving gateway (use POST /v1/imports/{format}).
      --dry-run reads, checks and maps the file, and writes nothing.
  passerelle reconciliation list --config FILE [--as PARTNER]
  passerelle reconciliation resolve CASE --config FILE [--as PARTNER] --decision DECISION
                    [--keep DOSSIER] [--identifier-kept-by DOSSIER]
      The open identity reconciliation cases (JSON), or the decision on one: same_person
      (--keep: the other dossier is merged into it), different_people (the contested
      identifiers stay with --identifier-kept-by, or with no one), source_error (nothing
      changes). As the Département by default; recorded in the audit log; refuses to run beside
      a serving gateway (use /v1/reconciliation). Exit 1 if refused.
  passerelle indicators --config FILE --from DATE --to DATE [--as-of DATE]
      The SPIE indicators over the period (JSON), from every dossier, cells under the threshold
      hidden (policies/indicators/spie.json; the same as GET /v1/indicators).
  passerelle retention run --config FILE [--dry-run]
      Erase (crypto-shredding) the dossiers whose last activity — last section write or pathway
      exit — is older than retention.months (default 24); --dry-run only lists them. A serving
      gateway does this itself at start and then daily; this command refuses to run beside it.
  passerelle help

While serving, SIGHUP reloads the sharing policy (a bad policy is refused and the one in
force stays).
)";

// Access log lines to stderr, stamped in UTC. Personal data never reaches this log.
void setUpLogging() {
  // One write(2) per line instead of one per insertion: stderr is unbuffered by default.
  setvbuf(stderr, nullptr, _IOLBF, 1 << 16);
  Poco::AutoPtr<Poco::PatternFormatter> pattern(
      new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
  pattern->setProperty("times", "UTC");
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(pattern, new Poco::ConsoleChannel(std::cerr)));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel("information");
}

// SIGINT, SIGTERM and SIGHUP are blocked in every thread and awaited here, so that shutdown
// is orderly and a policy reload never interrupts a request.
sigset_t handledSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGHUP);
  return set;
}

void blockHandledSignals() {
  const sigset_t set = handledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// Returns on SIGINT or SIGTERM; reloads the sharing policy on SIGHUP.
void serveUntilTerminated(Gateway& gateway) {
  const sigset_t set = handledSignals();
  auto& log = Poco::Logger::get("passerelle");
  for (;;) {
    int received = 0;
    sigwait(&set, &received);
    if (received != SIGHUP) return;
    try {
      log.information("sharing policy reloaded: version %s", gateway.app().reloadPolicy());
    } catch (const std::exception& e) {
      log.error("sharing policy not reloaded, the one in force stays: %s", std::string(e.what()));
    }
  }
}

unsigned long numberOf(const std::string& option, const std::string& text, unsigned long max) {
  unsigned long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max)
    throw UsageError(option + " takes a number up to " + std::to_string(max));
  return value;
}

int serve(const std::vector<std::string>& args) {
  std::optional<std::string> config_file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--config")
      config_file = valueOf(args, i);
    else
      throw UsageError("unknown option " + args[i]);
  }
  if (!config_file) throw UsageError("serve needs --config FILE");
  Gateway gateway(passerelle::gateway::loadConfig(*config_file));
  gateway.start();
  Poco::Logger::get("passerelle").information("serving on port %hu", gateway.port());
  serveUntilTerminated(gateway);
  Poco::Logger::get("passerelle").information("stopping");
  gateway.stop();
  return 0;
}

int demo(const std::vector<std::string>& args) {
  DemoOptions options;
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--dir")
      options.dir = valueOf(args, i);
    else if (args[i] == "--port")
      options.port = static_cast<std::uint16_t>(numberOf("--port", valueOf(args, i), 65535));
    else if (args[i] == "--dossiers")
      options.dossiers = numberOf("--dossiers", valueOf(args, i), 1000000);
    else
      throw UsageError("unknown option " + args[i]);
  }
  auto config = passerelle::demo::prepareDemoDirectory(options);
  Gateway gateway(config);
  const auto created = passerelle::demo::loadDemoDossiers(gateway.app(), options.dossiers);
  if (created > 0) std::cout << "Loaded " << created << " synthetic dossiers.\n";
  gateway.start();
  passerelle::demo::printDemoInstructions(std::cout, options.dir, gateway.port(), gateway.app());
  serveUntilTerminated(gateway);
  gateway.stop();
  return 0;
}

passerelle::policies::PolicySet policyFrom(const std::optional<std::string>& config,
                                           const std::optional<std::string>& dir) {
  const auto& catalogue = passerelle::schemas::FieldCatalogue::builtin();
  if (dir) return passerelle::policies::PolicySet::loadDirectory(*dir, catalogue);
  if (config) {
    const auto c = passerelle::gateway::loadConfig(*config);
    if (c.policies_dir)
      return passerelle::policies::PolicySet::loadDirectory(*c.policies_dir, catalogue);
  }
  return passerelle::policies::PolicySet::builtin(catalogue);
}

int policy(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("policy needs explain or check");
  if (args[0] == "check") {
    if (args.size() != 2) throw UsageError("policy check takes one directory or file");
    namespace fs = std::filesystem;
    const fs::path target = args[1];
    const auto& catalogue = passerelle::schemas::FieldCatalogue::builtin();
    passerelle::policies::PolicySet set = [&] {
      if (fs::is_directory(target))
        return passerelle::policies::PolicySet::loadDirectory(target, catalogue);
      // One file: checked with the other files of the default policy, replacing its namesake.
      std::ifstream in(target);
      if (!in) throw std::runtime_error("cannot read " + target.string());
      std::stringstream text;
      text << in.rdbuf();
      auto files = passerelle::policies::PolicySet::builtinFiles();
      files[target.filename().string()] = text.str();
      return passerelle::policies::PolicySet::parse(files, catalogue);
    }();
    std::cout << "policy " << args[1] << " is valid: version " << set.version() << ", "
              << set.rules().size() << " rules\n";
    return 0;
  }
  if (args[0] != "explain") throw UsageError("unknown policy command " + args[0]);
  std::optional<std::string> config, dir;
  std::optional<passerelle::core::PartnerKind> kind;
  std::optional<passerelle::core::Purpose> purpose;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--config") {
      config = valueOf(args, i);
    } else if (args[i] == "--policy") {
      dir = valueOf(args, i);
    } else if (args[i] == "--partner-kind") {
      kind = passerelle::core::parsePartnerKind(valueOf(args, i));
      if (!kind) throw UsageError("unknown partner kind " + args[i]);
    } else if (args[i] == "--purpose") {
      purpose = passerelle::core::parsePurpose(valueOf(args, i));
      if (!purpose) throw UsageError("unknown purpose " + args[i]);
    } else {
      throw UsageError("unknown option " + args[i]);
    }
  }
  passerelle::policies::explainPolicy(std::cout, policyFrom(config, dir),
                                      passerelle::schemas::FieldCatalogue::builtin(), kind,
                                      purpose);
  return 0;
}

int consent(const std::vector<std::string>& args) {
  if (args.size() < 2 || args[0] != "verify") throw UsageError("consent verify RECEIPT");
  std::optional<std::string> expected;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (args[i] == "--public-key") {
      expected = valueOf(args, i);
    } else if (args[i] == "--config") {
      const auto config = passerelle::gateway::loadConfig(valueOf(args, i));
      expected = passerelle::app::gatewayPublicKey(config);
    } else {
      throw UsageError("unknown option " + args[i]);
    }
  }
  std::ifstream in(args[1]);
  if (!in) throw std::runtime_error("cannot read " + args[1]);
  nlohmann::json receipt;
  try {
    receipt = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {  // a syntax error, or a number out of range
    std::cout << "INVALID: " << args[1] << " is not JSON\n";
    return 1;
  }
  // A receipt as the API returns it ({"consent", "receipt"}) or the receipt alone.
  const auto& r = receipt.contains("receipt") && receipt["receipt"].contains("receipt")
                      ? receipt["receipt"]
                      : receipt;
  const auto check = passerelle::dossiers::verifyReceipt(r, expected);
  if (!check.valid) {
    std::cout << "INVALID: " << check.problem << "\n";
    return 1;
  }
  std::cout << "VALID: " << r["receipt"]["type"].get<std::string>() << " "
            << r["receipt"]["record"]["id"].get<std::string>() << ", signed by " << check.public_key
            << (expected ? " (this gateway)" : " (compare with `passerelle keys public`)") << "\n";
  return 0;
}

std::string versionList(const std::vector<passerelle::crypto::MasterKeys::Version>& versions) {
  std::string out;
  for (const auto v : versions) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

int keysRotate(const passerelle::gateway::GatewayConfig& config,
               std::optional<std::size_t> max_keys) {
  if (!config.master_key_file)
    throw std::runtime_error(
        "keys rotate writes the new master key version into the key file: set master_key_file "
        "in the configuration (a key given by PASSERELLE_MASTER_KEY cannot be rotated in place)");
  const auto keys_file = passerelle::store::keysFileOf({config.sqlite_file});
  auto lock_file = keys_file;
  lock_file += ".rotate.lock";
  // Not the store's lock: the gateway keeps serving during the rotation.
  const passerelle::app::ProcessLock lock(lock_file, "another key rotation is running");
  const auto keys = passerelle::app::openKeyStore(config);
  const auto rotation = keys->rotate(*config.master_key_file, max_keys);
  std::cout << (rotation.resumed ? "resumed the rotation to master key version "
                                 : "rotating to master key version ")
            << rotation.to << (rotation.resumed ? "" : ", added to ")
            << (rotation.resumed ? "" : config.master_key_file->string()) << "\n"
            << "re-wrapped " << rotation.rewrapped
            << " data keys (sections are not re-encrypted)\n";
  if (rotation.remaining > 0) {
    std::cout << rotation.remaining
              << " keys are still wrapped under an older version: run `passerelle keys rotate` "
                 "again to finish (the gateway reads both meanwhile)\n";
    return 0;
  }
  if (!rotation.retired.empty())
    std::cout << "retired version " << versionList(rotation.retired) << " from "
              << keys_file.string() << " and " << config.master_key_file->string() << "; back up "
              << config.master_key_file->string()
              << " now: copies of the old version no longer open anything\n";
  if (keys->status().root_is_master_v1)
    std::cout << "note: this store's root key (blind indexes, pseudonyms, signing) is master key "
                 "version 1 itself, as in stores created before the root key existed; rotation "
                 "re-wraps it but does not renew it (see docs/ARCHITECTURE.md, Keys)\n";
  return 0;
}

int keysStatus(const passerelle::gateway::GatewayConfig& config) {
  const auto status = passerelle::app::openKeyStore(config)->status();
  std::cout << "new data keys are wrapped under master key version " << status.active << "\n"
            << "root key wrapped under version " << status.root
            << (status.root_is_master_v1 ? " (it is master key version 1 itself)" : "") << "\n";
  std::size_t total = 0;
  for (const auto& [version, count] : status.data_keys) {
    std::cout << "version " << version << ": " << count << " data keys\n";
    total += count;
  }
  std::cout << total << " data keys in all\n";
  return 0;
}

int keys(const std::vector<std::string>& args) {
  if (args.size() == 3 && args[0] == "init" && args[1] == "--file") {
    passerelle::crypto::MasterKeys::generate().saveNewFile(args[2]);
    std::cout << "wrote a new master key to " << args[2]
              << " (readable by its owner only); keep a copy offline: without it, nothing the "
                 "gateway stored can be read\n";
    return 0;
  }
  const std::string usage =
      "keys init --file FILE | keys public --config FILE | keys status --config FILE | keys "
      "rotate --config FILE [--max-keys N]";
  if (args.empty() || (args[0] != "public" && args[0] != "status" && args[0] != "rotate"))
    throw UsageError(usage);
  const auto options = passerelle::gateway::namedOptions(
      args, 1,
      args[0] == "rotate" ? std::vector<std::string>{"config", "max-keys"}
                          : std::vector<std::string>{"config"});
  if (options.count("config") == 0) throw UsageError(usage);
  std::optional<std::size_t> max_keys;
  if (const auto it = options.find("max-keys"); it != options.end()) {
    std::size_t value = 0;
    const auto [end, ec] =
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), value);
    if (ec != std::errc() || end != it->second.data() + it->second.size() || value == 0)
      throw UsageError("--max-keys needs a positive whole number");
    max_keys = value;
  }
  const auto config = passerelle::gateway::loadConfig(options.at("config"));
  if (args[0] == "public") {
    std::cout << passerelle::app::gatewayPublicKey(config) << "\n";
    return 0;
  }
  if (args[0] == "status") return keysStatus(config);
  return keysRotate(config, max_keys);
}

int indicators(const std::vector<std::string>& args) {
  const auto options =
      passerelle::gateway::namedOptions(args, 0, {"config", "from", "to", "as-of"});
  for (const char* name : {"config", "from", "to"})
    if (options.count(name) == 0)
      throw UsageError("indicators --config FILE --from DATE --to DATE [--as-of DATE]");
  passerelle::app::Application app(passerelle::gateway::loadConfig(options.at("config")));
  const auto as_of =
      options.count("as-of") ? std::optional<std::string>(options.at("as-of")) : std::nullopt;
  try {
    std::cout << app.indicators().compute(options.at("from"), options.at("to"), as_of).dump(2)
              << "\n";
    return 0;
  } catch (const passerelle::core::DomainError& e) {
    std::cerr << "passerelle: " << e.what() << "\n";
    return 1;
  }
}

int retention(const std::vector<std::string>& args) {
  if (args.empty() || args[0] != "run") throw UsageError("retention run --config FILE [--dry-run]");
  std::optional<std::string> config_file;
  bool dry_run = false;
  for (std::size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--config")
      config_file = valueOf(args, i);
    else if (args[i] == "--dry-run")
      dry_run = true;
    else
      throw UsageError("unknown option " + args[i]);
  }
  if (!config_file) throw UsageError("retention run needs --config FILE");
  passerelle::app::Application app(passerelle::gateway::loadConfig(*config_file));
  const auto report = app.retention().apply(dry_run);
  std::cout << (dry_run ? "would erase " : "erased ")
            << (dry_run ? report.due.size() : report.erased)
            << " dossiers whose last activity is before " << report.cutoff << "\n";
  for (const auto& due : report.due)
    std::cout << "  " << due.id.str() << "  last activity " << due.last_activity << " ("
              << (due.basis == "date_sortie" ? "pathway exit" : "last section write") << ")\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  blockHandledSignals();
  setUpLogging();
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "serve") return serve(args);
    if (command == "demo") return demo(args);
    if (command == "policy") return policy(args);
    if (command == "consent") return consent(args);
    if (command == "keys") return keys(args);
    if (command == "audit") return passerelle::gateway::auditCommand(args);
    if (command == "export") return passerelle::gateway::exportCommand(args);
    if (command == "import") return passerelle::gateway::importCommand(args);
    if (command == "reconciliation") return passerelle::gateway::reconciliationCommand(args);
    if (command == "indicators") return indicators(args);
    if (command == "retention") return retention(args);
    throw UsageError("unknown command " + command);
  } catch (const UsageError& e) {
    std::cerr << "passerelle: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "passerelle: " << e.what() << "\n";
    return 1;
  }
}
