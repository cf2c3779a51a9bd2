#pragma once

#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace passerelle::gateway {

// A command line the `passerelle` program cannot run: the message, then the usage, exit 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The value following option args[i]; advances i.
inline std::string valueOf(const std::vector<std::string>& args, std::size_t& i) {
  if (i + 1 >= args.size()) throw UsageError(args[i] + " needs a value");
  return args[++i];
}

// `passerelle audit pubkey|verify|export|prune ...`; returns the exit status.
int auditCommand(const std::vector<std::string>& args);

// `passerelle export keygen|run|open ...`; returns the exit status.
int exportCommand(const std::vector<std::string>& args);

// `passerelle import FORMAT FILE ...`; returns the exit status (3 when records were rejected).
int importCommand(const std::vector<std::string>& args);

// `passerelle reconciliation list|resolve ...`; returns the exit status (1 when refused).
int reconciliationCommand(const std::vector<std::string>& args);

// Options given as `--name value`, each at most once, only those listed in `allowed`.
std::map<std::string, std::string> namedOptions(const std::vector<std::string>& args,
                                                std::size_t first,
                                                const std::vector<std::string>& allowed);

}  // namespace passerelle::gateway
