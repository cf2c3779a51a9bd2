// `passerelle export ...`: the évaluateur's key pair, an export run by the Département's
// operator, and its opening on the évaluateur's machine.
#include <algorithm>
#include <iostream>

#include "cli.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/connectors/export_job.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::gateway {

std::map<std::string, std::string> namedOptions(const std::vector<std::string>& args,
                                                std::size_t first,
                                                const std::vector<std::string>& allowed) {
  std::map<std::string, std::string> out;
  for (std::size_t i = first; i < args.size(); ++i) {
    if (args[i].rfind("--", 0) != 0 ||
        std::find(allowed.begin(), allowed.end(), args[i].substr(2)) == allowed.end())
      throw UsageError("unknown option " + args[i]);
    const auto name = args[i].substr(2);
    if (!out.emplace(name, valueOf(args, i)).second)
      throw UsageError("--" + name + " is given twice");
  }
  return out;
}

namespace {

const std::string kUsage =
    "export keygen --out FILE | export run --config FILE --as PARTNER --study ID --profile ID "
    "--out DIR [--from DATE] [--to DATE] [--reference-date DATE] [--survey-contact] | export open "
    "DIR --secret-key "
    "FILE --out DIR [--public-key HEX]";

std::string required(const std::map<std::string, std::string>& options, const std::string& name) {
  const auto it = options.find(name);
  if (it == options.end()) throw UsageError("--" + name + " is required");
  return it->second;
}

std::optional<std::string> optional(const std::map<std::string, std::string>& options,
                                    const std::string& name) {
  const auto it = options.find(name);
  return it == options.end() ? std::nullopt : std::optional<std::string>(it->second);
}

int keygen(const std::vector<std::string>& args) {
  const auto options = namedOptions(args, 1, {"out"});
  const auto keys = crypto::RecipientKeys::generate();
  keys.saveSecretFile(required(options, "out"));
  std::cout << "wrote a secret key to " << required(options, "out")
            << " (readable by its owner only; it never leaves this machine)\n"
            << "public key, for the Département's partner registry (study public_key):\n"
            << keys.publicKeyHex() << "\n";
  return 0;
}

int run(std::vector<std::string> args) {
  // The one option without a value.
  const auto flag = std::find(args.begin(), args.end(), "--survey-contact");
  const bool survey_contact = flag != args.end();
  if (survey_contact) args.erase(flag);
  const auto options = namedOptions(
      args, 1, {"config", "as", "study", "profile", "out", "from", "to", "reference-date"});
  app::Application app(loadConfig(required(options, "config")));
  app::ExportOrder order{core::PartnerId(required(options, "as")),
                         "cli:export",
                         required(options, "study"),
                         required(options, "profile"),
                         optional(options, "from"),
                         optional(options, "to"),
                         optional(options, "reference-date"),
                         survey_contact};
  try {
    const auto manifest = app.exportOrders().run(order, required(options, "out"));
    std::cout << "exported " << manifest["rows"] << " persons of " << manifest["persons_considered"]
              << " (" << manifest["suppressed"] << " suppressed, smallest class "
              << manifest["smallest_class"] << ", k = " << manifest["k"] << ") to "
              << required(options, "out") << "\n"
              << "generalisations: " << manifest["generalisations"].dump() << "\n";
    if (survey_contact)
      std::cout << "survey-contact file: " << manifest["survey_contact"]["rows"]
                << " persons who consented\n";
    if (!manifest["within_suppression_limit"].get<bool>())
      std::cout << "warning: more rows were suppressed than the profile's max_suppression\n";
    return 0;
  } catch (const core::DomainError& e) {
    std::cerr << "passerelle: export refused: " << e.what() << "\n";
    return 1;
  }
}

int open(const std::vector<std::string>& args) {
  if (args.size() < 2) throw UsageError(kUsage);
  const auto options = namedOptions(args, 2, {"secret-key", "out", "public-key"});
  const auto keys = crypto::RecipientKeys::loadSecretFile(required(options, "secret-key"));
  const auto manifest = connectors::openExport(args[1], keys, optional(options, "public-key"),
                                               required(options, "out"));
  std::cout << "verified and decrypted: study " << manifest["study"].get<std::string>()
            << ", profile " << manifest["profile"].get<std::string>() << ", " << manifest["rows"]
            << " rows, into " << required(options, "out") << "\n";
  if (!optional(options, "public-key"))
    std::cout << "signed by a key given in the manifest itself: compare it with the gateway's "
                 "(`passerelle keys public`), or pass --public-key\n";
  return 0;
}

}  // namespace

int exportCommand(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError(kUsage);
  if (args[0] == "keygen") return keygen(args);
  if (args[0] == "run") return run(args);
  if (args[0] == "open") return open(args);
  throw UsageError(kUsage);
}

}  // namespace passerelle::gateway
