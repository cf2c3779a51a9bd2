// `passerelle export keygen|run|open`: the évaluateur's key pair, an export run by the
// Département's operator, and its opening on the évaluateur's machine.
#include <iostream>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/connectors/export_job.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::cli {

namespace {

std::optional<std::string> given(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

struct RunOptions {
  std::string config, as, study, profile, out, from, to, reference_date;
  bool survey_contact = false;
};

int run(const RunOptions& o) {
  app::Application app(gateway::loadConfig(o.config));
  const app::ExportOrder order{
      core::PartnerId(o.as),   "cli:export",    o.study, o.profile, given(o.from), given(o.to),
      given(o.reference_date), o.survey_contact};
  try {
    const auto manifest = app.exportOrders().run(order, o.out);
    std::cout << "exported " << manifest["rows"] << " persons of " << manifest["persons_considered"]
              << " (" << manifest["suppressed"] << " suppressed, smallest class "
              << manifest["smallest_class"] << ", k = " << manifest["k"] << ") to " << o.out << "\n"
              << "generalisations: " << manifest["generalisations"].dump() << "\n";
    if (o.survey_contact)
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

struct OpenOptions {
  std::string dir, secret_key, out, public_key;
};

void open(const OpenOptions& o) {
  const auto keys = crypto::RecipientKeys::loadSecretFile(o.secret_key);
  const auto manifest = connectors::openExport(o.dir, keys, given(o.public_key), o.out);
  std::cout << "verified and decrypted: study " << manifest["study"].get<std::string>()
            << ", profile " << manifest["profile"].get<std::string>() << ", " << manifest["rows"]
            << " rows, into " << o.out << "\n";
  if (o.public_key.empty())
    std::cout << "signed by a key given in the manifest itself: compare it with the gateway's "
                 "(`passerelle keys public`), or pass --public-key\n";
}

}  // namespace

void addExportCommands(CLI::App& program, ExitStatus& exit) {
  auto* exports = program.add_subcommand("export", "Pseudonymised exports for évaluateurs.");
  exports->require_subcommand(1);

  auto key_file = std::make_shared<std::string>();
  auto* keygen = exports->add_subcommand(
      "keygen",
      "(Évaluateur) Make an X25519 key pair for a study: the secret key in FILE (mode 600), the "
      "public key printed, for the study's entry in the partner registry.");
  keygen->add_option("--out", *key_file, "the secret key file to write")->required();
  keygen->callback([key_file] {
    const auto keys = crypto::RecipientKeys::generate();
    keys.saveSecretFile(*key_file);
    std::cout << "wrote a secret key to " << *key_file
              << " (readable by its owner only; it never leaves this machine)\n"
              << "public key, for the Département's partner registry (study public_key):\n"
              << keys.publicKeyHex() << "\n";
  });

  auto r = std::make_shared<RunOptions>();
  auto* run_command = exports->add_subcommand(
      "run",
      "Pseudonymised, k-anonymous export for an évaluateur's study (profiles: annexe-e, "
      "indicateurs) of the people whose pathway was open during [from, to]: sealed CSV and "
      "NDJSON, data dictionary, signed manifest, in DIR. Recorded in the audit log; refuses to "
      "run beside a serving gateway.");
  run_command->add_option("--config", r->config, "the configuration file")->required();
  run_command->add_option("--as", r->as, "the évaluateur partner")->required();
  run_command->add_option("--study", r->study, "the study's id")->required();
  run_command->add_option("--profile", r->profile, "the export profile")->required();
  run_command->add_option("--out", r->out, "the directory to write")->required();
  run_command->add_option("--from", r->from, "first day of the period (YYYY-MM-DD)");
  run_command->add_option("--to", r->to, "last day of the period (YYYY-MM-DD)");
  run_command->add_option("--reference-date", r->reference_date,
                          "the day ages and durations are computed at (default: --to)");
  run_command->add_flag("--survey-contact", r->survey_contact,
                        "also the survey-contact file of the persons who consented");
  run_command->callback([r, &exit] { exit.value = run(*r); });

  auto o = std::make_shared<OpenOptions>();
  auto* open_command = exports->add_subcommand(
      "open",
      "(Évaluateur) Verify an export's signed manifest and files, and decrypt it into DIR2.");
  open_command->add_option("DIR", o->dir, "the export's directory")->required();
  open_command->add_option("--secret-key", o->secret_key, "the study's secret key file")
      ->required();
  open_command->add_option("--out", o->out, "the directory to decrypt into (DIR2)")->required();
  open_command->add_option("--public-key", o->public_key, "the gateway's public key (hex)");
  open_command->callback([o] { open(*o); });
}

}  // namespace passerelle::cli
