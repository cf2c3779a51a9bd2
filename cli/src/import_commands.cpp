// `passerelle import FORMAT FILE`: a partner file imported by the Département's operator, as
// that partner.
#include <fstream>
#include <iostream>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/connectors/delimited_reader.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::cli {

namespace {

// The purpose an import serves when none is given: why that partner sends that file.
core::Purpose defaultPurpose(connectors::ImportFormat format) {
  return format == connectors::ImportFormat::france_travail_csv ? core::Purpose::accompagnement
                                                                : core::Purpose::instruction_rsa;
}

struct ImportOptions {
  std::string format, file, config, as, purpose, report;
  bool dry_run = false, accept_count_mismatch = false;
};

int import(const ImportOptions& o) {
  const auto format = connectors::parseImportFormat(o.format);
  if (!format) throw UsageError("unknown import format " + o.format);
  auto purpose = defaultPurpose(*format);
  if (!o.purpose.empty()) {
    const auto parsed = core::parsePurpose(o.purpose);
    if (!parsed) throw UsageError("unknown purpose " + o.purpose);
    purpose = *parsed;
  }
  app::Application app(gateway::loadConfig(o.config));
  const app::ImportOrder order{core::PartnerId(o.as),
                               "cli:import",
                               purpose,
                               *format,
                               core::RequestId("import-" + core::nowUtc()),
                               true,
                               {o.dry_run, o.accept_count_mismatch}};
  try {
    const auto report = app.imports().run(order, o.file).toJson();
    if (!o.report.empty()) {
      std::ofstream out(o.report);
      out << report.dump(2) << "\n";
      if (!out) throw std::runtime_error("cannot write the report to " + o.report);
    }
    // The report may quote the file's values in rejection reasons: it goes to the operator's
    // terminal (or file), never to the application log.
    std::cout << report.dump(2) << "\n";
    const bool whole = report["rejected"].get<std::size_t>() == 0 && !report.contains("stopped");
    return whole ? 0 : 3;
  } catch (const connectors::FileFormatError& e) {
    std::cerr << "passerelle: the file cannot be imported: " << e.what() << "\n";
    return 1;
  } catch (const core::DomainError& e) {
    std::cerr << "passerelle: import refused: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace

void addImportCommands(CLI::App& program, ExitStatus& exit) {
  auto o = std::make_shared<ImportOptions>();
  auto* command = program.add_subcommand(
      "import",
      "Import a partner file as PARTNER, under the sharing policy, with the API's matching and "
      "validation (docs/imports.md); prints the report (JSON), exit 3 if records were rejected or "
      "the import stopped early (the store could not be written). "
      "The default purpose is instruction_rsa (accompagnement for France Travail). Recorded in "
      "the audit log; refuses to run beside a serving gateway (use POST /v1/imports/{format}). "
      "--dry-run reads, checks and maps the file, and writes nothing.");
  command->add_option("FORMAT", o->format, "caf-rsa-xml, france-travail-csv or ndjson")
      ->required()
      ->check(CLI::IsMember({"caf-rsa-xml", "france-travail-csv", "ndjson"}));
  command->add_option("FILE", o->file, "the partner file")->required();
  command->add_option("--config", o->config, "the configuration file")->required();
  command->add_option("--as", o->as, "the partner the file comes from")->required();
  command->add_option("--purpose", o->purpose, "the purpose it serves");
  command->add_option("--report", o->report, "also write the report to this file");
  command->add_flag("--dry-run", o->dry_run, "read, check and map; write nothing");
  command->add_flag("--accept-count-mismatch", o->accept_count_mismatch,
                    "import a CAF flux whose trailer counts another number of records");
  command->callback([o, &exit] { exit.value = import(*o); });
}

}  // namespace passerelle::cli
