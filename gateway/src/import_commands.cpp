// `passerelle import FORMAT FILE --config FILE --as PARTNER [--purpose P] [--report FILE]`:
// a partner file imported by the Département's operator, as that partner.
#include <algorithm>
#include <fstream>
#include <iostream>

#include "cli.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::gateway {

namespace {

// The purpose an import serves when none is given: why that partner sends that file.
core::Purpose defaultPurpose(connectors::ImportFormat format) {
  return format == connectors::ImportFormat::france_travail_csv ? core::Purpose::accompagnement
                                                                : core::Purpose::instruction_rsa;
}

}  // namespace

int importCommand(const std::vector<std::string>& args) {
  const std::string usage =
      "import caf-rsa-xml|france-travail-csv|ndjson FILE --config FILE --as PARTNER "
      "[--purpose PURPOSE] [--report FILE] [--dry-run] [--accept-count-mismatch]";
  if (args.size() < 2) throw UsageError(usage);
  std::vector<std::string> rest(args);
  const auto flag = [&](const char* name) {
    const auto it = std::find(rest.begin(), rest.end(), name);
    if (it == rest.end()) return false;
    rest.erase(it);
    return true;
  };
  const bool dry_run = flag("--dry-run");
  const connectors::ImportOptions import_options{dry_run, flag("--accept-count-mismatch")};
  const auto format = connectors::parseImportFormat(args[0]);
  if (!format) throw UsageError("unknown import format " + args[0] + "; " + usage);
  auto options = namedOptions(rest, 2, {"config", "as", "purpose", "report"});
  if (options.count("config") == 0 || options.count("as") == 0) throw UsageError(usage);
  auto purpose = defaultPurpose(*format);
  if (options.count("purpose")) {
    const auto parsed = core::parsePurpose(options["purpose"]);
    if (!parsed) throw UsageError("unknown purpose " + options["purpose"]);
    purpose = *parsed;
  }
  app::Application app(loadConfig(options["config"]));
  const app::ImportOrder order{core::PartnerId(options["as"]),
                               "cli:import",
                               purpose,
                               *format,
                               core::RequestId("import-" + core::nowUtc()),
                               true,
                               import_options};
  try {
    const auto report = app.imports().run(order, args[1]).toJson();
    if (options.count("report")) {
      std::ofstream out(options["report"]);
      out << report.dump(2) << "\n";
      if (!out) throw std::runtime_error("cannot write the report to " + options["report"]);
    }
    // The report may quote the file's values in rejection reasons: it goes to the operator's
    // terminal (or file), never to the application log.
    std::cout << report.dump(2) << "\n";
    return report["rejected"].get<std::size_t>() == 0 ? 0 : 3;
  } catch (const connectors::FileFormatError& e) {
    std::cerr << "passerelle: the file cannot be imported: " << e.what() << "\n";
    return 1;
  } catch (const core::DomainError& e) {
    std::cerr << "passerelle: import refused: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace passerelle::gateway
