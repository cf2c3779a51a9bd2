// `passerelle keys init|public|status|rotate`: the master key and the data keys it wraps.
#include <chrono>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::cli {

namespace {

std::string versionList(const std::vector<crypto::MasterKeys::Version>& versions) {
  std::string out;
  for (const auto v : versions) out += (out.empty() ? "" : ", ") + std::to_string(v);
  return out;
}

// How long a rotation waits for every live node to hold the new master key version.
constexpr auto kNodesWait = 3 * app::Application::kHeartbeat;

void rotate(const gateway::GatewayConfig& config, std::optional<std::size_t> max_keys) {
  if (!config.master_key_file)
    throw std::runtime_error(
        "keys rotate writes the new master key version into the key file: set master_key_file "
        "in the configuration (a key given by PASSERELLE_MASTER_KEY cannot be rotated in place)");
  const auto keys_file = config.postgresql ? std::filesystem::path("the key database")
                                           : store::keysFileOf({config.sqlite_file});
  // Not the store's lock: the gateway keeps serving during the rotation. With several nodes, a
  // lease of the database, wherever the command runs.
  const app::ProcessLock lock(app::localPath(config, "keys.rotate.lock"),
                              "another key rotation is running");
  std::unique_ptr<store::Leases> leases;
  std::optional<store::Stores> stores;
  std::int64_t lacking = 0;
  std::function<bool(store::KeyStore::Version)> ready;
  const auto keys = app::openKeyStore(config);
  if (config.postgresql) {
    leases = store::openPostgresLeases(app::postgresOptions(config).url);
    if (!leases->hold("keys-rotate"))
      throw std::runtime_error("another key rotation is running, from another node");
    stores = app::openStores(config, keys);
    // A node reads its file at each heartbeat: one that shares this file, or was given it
    // just before, says so within a few seconds.
    ready = [&](store::KeyStore::Version v) {
      const auto deadline = std::chrono::steady_clock::now() + kNodesWait;
      while ((lacking = stores->policy_agreement->liveNodesLacking(static_cast<int>(v))) > 0 &&
             std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::seconds(1));
      return lacking == 0;
    };
  }
  const auto rotation = keys->rotate(*config.master_key_file, max_keys, ready);
  if (rotation.waiting)
    throw std::runtime_error(
        "master key version " + std::to_string(rotation.to) + " is in " +
        config.master_key_file->string() + ", but " + std::to_string(lacking) +
        " live gateway node(s) still do not hold it after " + std::to_string(kNodesWait.count()) +
        " s: copy that file to every node's master_key_file (a node reads it again within 5 s), "
        "then run `passerelle keys rotate` again. Nothing was wrapped under the new version.");
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
    return;
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
}

void status(const gateway::GatewayConfig& config) {
  const auto status = app::openKeyStore(config)->status();
  std::cout << "new data keys are wrapped under master key version " << status.active << "\n"
            << "root key wrapped under version " << status.root
            << (status.root_is_master_v1 ? " (it is master key version 1 itself)" : "") << "\n";
  std::size_t total = 0;
  for (const auto& [version, count] : status.data_keys) {
    std::cout << "version " << version << ": " << count << " data keys\n";
    total += count;
  }
  std::cout << total << " data keys in all\n";
}

}  // namespace

void addKeyCommands(CLI::App& program, ExitStatus&) {
  auto* keys = program.add_subcommand("keys", "The master key and the data keys it wraps.");
  keys->require_subcommand(1);

  auto file = std::make_shared<std::string>();
  auto* init = keys->add_subcommand(
      "init",
      "Create a master key file (version 1: 32 random bytes in hex, mode 600); never "
      "overwrites one.");
  init->add_option("--file", *file, "the key file to create")->required();
  init->callback([file] {
    crypto::MasterKeys::generate().saveNewFile(*file);
    std::cout << "wrote a new master key to " << *file
              << " (readable by its owner only); keep a copy offline: without it, nothing the "
                 "gateway stored can be read\n";
  });

  auto config = std::make_shared<std::string>();
  auto* pub = keys->add_subcommand(
      "public",
      "Print the gateway's Ed25519 public key (receipts and audit checkpoints are signed with "
      "it).");
  pub->add_option("--config", *config, "the configuration file")->required();
  pub->callback(
      [config] { std::cout << app::gatewayPublicKey(gateway::loadConfig(*config)) << "\n"; });

  auto* st = keys->add_subcommand(
      "status",
      "Which master key version wraps new keys, and how many data keys each version wraps.");
  st->add_option("--config", *config, "the configuration file")->required();
  st->callback([config] { status(gateway::loadConfig(*config)); });

  auto max_keys = std::make_shared<std::size_t>(0);
  auto* rot = keys->add_subcommand(
      "rotate",
      "Add a new master key version to the key file and re-wrap every dossier's data key under "
      "it (sections are not re-encrypted), in small transactions while the gateway serves; then "
      "retire the old version from the key file. Interrupted (or stopped after N keys), it "
      "resumes where it was when run again.");
  rot->add_option("--config", *config, "the configuration file")->required();
  rot->add_option("--max-keys", *max_keys, "stop after N keys")->check(CLI::PositiveNumber);
  rot->callback([config, max_keys] {
    rotate(gateway::loadConfig(*config),
           *max_keys > 0 ? std::optional<std::size_t>(*max_keys) : std::nullopt);
  });
}

}  // namespace passerelle::cli
