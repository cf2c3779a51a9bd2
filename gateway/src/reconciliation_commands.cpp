// `passerelle reconciliation list|resolve`: identity reconciliation from the command line, as
// the Département's operator, beside a stopped gateway (the API: /v1/reconciliation).
#include <iostream>

#include "cli.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::gateway {

int reconciliationCommand(const std::vector<std::string>& args) {
  const std::string usage =
      "reconciliation list --config FILE [--as PARTNER] | reconciliation resolve CASE --config "
      "FILE [--as PARTNER] --decision same_person --keep DOSSIER | --decision different_people "
      "[--identifier-kept-by DOSSIER] | --decision source_error";
  if (args.empty() || (args[0] != "list" && args[0] != "resolve")) throw UsageError(usage);
  const bool resolve = args[0] == "resolve";
  if (resolve && args.size() < 2) throw UsageError(usage);
  auto options = namedOptions(args, resolve ? 2 : 1,
                              {"config", "as", "decision", "keep", "identifier-kept-by"});
  if (options.count("config") == 0) throw UsageError(usage);
  const core::PartnerId as(options.count("as") ? options["as"] : "departement");
  app::Application app(loadConfig(options["config"]));
  try {
    if (!resolve) {
      nlohmann::json cases = nlohmann::json::array();
      for (const auto& c : app.reconciliationCommands().cases(as))
        cases.push_back(dossiers::caseJson(c));
      std::cout << nlohmann::json{{"cases", cases}}.dump(2) << "\n";
      return 0;
    }
    if (options.count("decision") == 0) throw UsageError(usage);
    nlohmann::json decision = {{"decision", options["decision"]}};
    if (options.count("keep")) decision["keep"] = options["keep"];
    if (options["decision"] == "different_people")
      decision["identifier_kept_by"] = options.count("identifier-kept-by")
                                           ? nlohmann::json(options["identifier-kept-by"])
                                           : nlohmann::json(nullptr);
    const auto outcome = app.reconciliationCommands().resolve(as, args[1], decision);
    std::cout << nlohmann::json{{"case", dossiers::caseJson(outcome.decided)}}.dump(2) << "\n";
    return 0;
  } catch (const core::DomainError& e) {
    std::cerr << "passerelle: refused: " << e.what() << "\n";
    for (const auto& f : e.fieldErrors())
      std::cerr << "  " << f.pointer << ": " << f.message << "\n";
    return 1;
  }
}

}  // namespace passerelle::gateway
