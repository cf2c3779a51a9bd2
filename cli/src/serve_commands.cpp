// `passerelle serve` and `passerelle demo`: the gateway serving until SIGINT or SIGTERM.
#include <Poco/Logger.h>
#include <signal.h>

#include <ctime>
#include <iostream>

#include "commands.hpp"
#include "passerelle/demo/demo.hpp"
#include "passerelle/gateway/gateway.hpp"
#include "service_manager.hpp"

namespace passerelle::cli {

namespace {

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

// What systemd shows of the node (systemctl status): ready, or why not. Codes only.
std::string readinessStatus(gateway::Gateway& gateway) {
  const auto report = gateway.app().readiness().check();
  if (report.ready()) return "serving, policy " + report.policy_version;
  std::string reasons;
  for (const auto& r : report.reasons) reasons += (reasons.empty() ? "" : ", ") + r;
  return "serving, not ready: " + reasons;
}

// Returns on SIGINT or SIGTERM; reloads the sharing policy on SIGHUP. Under a systemd watchdog,
// wakes at half its period to say that this loop is alive, with the node's readiness as status:
// a hung process is restarted, while a node that is not ready (a full disk) is left to say why.
void serveUntilTerminated(gateway::Gateway& gateway) {
  const sigset_t set = handledSignals();
  auto& log = Poco::Logger::get("passerelle");
  const auto keep_alive = service_manager::keepAliveInterval();
  for (;;) {
    int received = 0;
    if (keep_alive) {
      timespec wait{};
      wait.tv_sec = static_cast<time_t>(keep_alive->count() / 1000000);
      wait.tv_nsec = static_cast<long>(keep_alive->count() % 1000000) * 1000;
      received = sigtimedwait(&set, nullptr, &wait);
      if (received < 0) {
        service_manager::alive();
        service_manager::status(readinessStatus(gateway));
        continue;
      }
    } else {
      sigwait(&set, &received);
    }
    if (received != SIGHUP) {
      service_manager::stopping();
      return;
    }
    service_manager::reloading();
    try {
      log.information("sharing policy reloaded: version %s", gateway.app().reloadPolicy());
    } catch (const std::exception& e) {
      log.error("sharing policy not reloaded, the one in force stays: %s", std::string(e.what()));
    }
    service_manager::ready(readinessStatus(gateway));
  }
}

}  // namespace

void blockHandledSignals() {
  const sigset_t set = handledSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void addServeCommands(CLI::App& program, ExitStatus&) {
  auto* serve = program.add_subcommand(
      "serve",
      "Serve the gateway described by a configuration file (see docs/configuration.md). SIGHUP "
      "reloads the sharing policy (a bad policy is refused and the one in force stays); SIGINT "
      "or SIGTERM stops it.");
  auto config = std::make_shared<std::string>();
  serve->add_option("--config", *config, "the configuration file")->required();
  serve->callback([config] {
    const auto loaded = gateway::loadConfig(*config);
    if (loaded.log_format == gateway::GatewayConfig::LogFormat::json) useJsonLogs();
    gateway::Gateway gateway(loaded);
    gateway.start();
    Poco::Logger::get("passerelle").information("serving on port %hu", gateway.port());
    if (const auto metrics = gateway.metricsPort())
      Poco::Logger::get("passerelle").information("metrics on port %hu", *metrics);
    service_manager::ready(readinessStatus(gateway));
    serveUntilTerminated(gateway);
    Poco::Logger::get("passerelle").information("stopping");
    gateway.stop();
  });

  auto* demo = program.add_subcommand(
      "demo",
      "Make (or reuse) a demo directory (default ./passerelle-demo) with a local CA, partner "
      "certificates and tokens, a master key and N synthetic dossiers (default 500), then serve "
      "it on https://127.0.0.1:PORT (default 8443).");
  auto options = std::make_shared<demo::DemoOptions>();
  demo->add_option("--dir", options->dir, "the demo directory")->capture_default_str();
  demo->add_option("--port", options->port, "the port to serve on")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  demo->add_option("--dossiers", options->dossiers, "synthetic dossiers to load")
      ->check(CLI::Range(0, 1000000))
      ->capture_default_str();
  demo->callback([options] {
    auto config = demo::prepareDemoDirectory(*options);
    gateway::Gateway gateway(config);
    const auto created = demo::loadDemoDossiers(gateway.app(), options->dossiers);
    if (created > 0) std::cout << "Loaded " << created << " synthetic dossiers.\n";
    gateway.start();
    demo::printDemoInstructions(std::cout, options->dir, gateway.port(), gateway.app());
    serveUntilTerminated(gateway);
    gateway.stop();
  });
}

}  // namespace passerelle::cli
