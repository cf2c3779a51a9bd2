// The `passerelle` command line: serve, demo.
#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/FormattingChannel.h>
#include <Poco/Logger.h>
#include <Poco/PatternFormatter.h>
#include <signal.h>

#include <charconv>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "passerelle/gateway/config.hpp"
#include "passerelle/gateway/demo.hpp"
#include "passerelle/gateway/gateway.hpp"

namespace {

using passerelle::gateway::DemoOptions;
using passerelle::gateway::Gateway;

constexpr const char* kUsage = R"(usage:
  passerelle serve --config FILE
      Serve the gateway described by a configuration file (see docs/configuration.md).
  passerelle demo [--dir DIR] [--port PORT] [--dossiers N]
      Make (or reuse) a demo directory (default ./demo) with a local CA, partner certificates
      and tokens, a master key and N synthetic dossiers (default 500), then serve it on
      https://127.0.0.1:PORT (default 8443).
  passerelle help
)";

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Access log lines to stderr, stamped in UTC. Personal data never reaches this log.
void setUpLogging() {
  Poco::AutoPtr<Poco::PatternFormatter> pattern(
      new Poco::PatternFormatter("%Y-%m-%dT%H:%M:%S.%iZ %p %s: %t"));
  pattern->setProperty("times", "UTC");
  Poco::AutoPtr<Poco::FormattingChannel> channel(
      new Poco::FormattingChannel(pattern, new Poco::ConsoleChannel(std::cerr)));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::root().setLevel("information");
}

// SIGINT/SIGTERM are blocked in every thread and awaited here, so that shutdown is orderly.
sigset_t terminationSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void blockTerminationSignals() {
  const sigset_t set = terminationSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

void waitForTermination() {
  const sigset_t set = terminationSignals();
  int received = 0;
  sigwait(&set, &received);
}

std::string valueOf(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw UsageError(args[i] + " needs a value");
  return args[++i];
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
  waitForTermination();
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
  auto config = passerelle::gateway::prepareDemoDirectory(options);
  Gateway gateway(config);
  const auto created = passerelle::gateway::loadDemoDossiers(gateway, options.dossiers);
  if (created > 0) std::cout << "Loaded " << created << " synthetic dossiers.\n";
  gateway.start();
  passerelle::gateway::printDemoInstructions(std::cout, options.dir, gateway.port(), gateway);
  waitForTermination();
  gateway.stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? 2 : 0;
  }
  blockTerminationSignals();
  setUpLogging();
  const std::string command = args[0];
  args.erase(args.begin());
  try {
    if (command == "serve") return serve(args);
    if (command == "demo") return demo(args);
    throw UsageError("unknown command " + command);
  } catch (const UsageError& e) {
    std::cerr << "passerelle: " << e.what() << "\n" << kUsage;
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "passerelle: " << e.what() << "\n";
    return 1;
  }
}
