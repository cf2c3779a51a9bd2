// `passerelle indicators` and `passerelle retention run`: the application opened without a
// server, beside a stopped gateway (the store's lock refuses them beside a serving one).
#include <iostream>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::cli {

void addOperationsCommands(CLI::App& program, ExitStatus& exit) {
  struct Period {
    std::string config, from, to, as_of;
  };
  auto period = std::make_shared<Period>();
  auto* indicators = program.add_subcommand(
      "indicators",
      "The SPIE indicators over the period (JSON), from every dossier, cells under the "
      "threshold hidden (policies/indicators/spie.json; the same as GET /v1/indicators).");
  indicators->add_option("--config", period->config, "the configuration file")->required();
  indicators->add_option("--from", period->from, "first day (YYYY-MM-DD)")->required();
  indicators->add_option("--to", period->to, "last day (YYYY-MM-DD)")->required();
  indicators->add_option("--as-of", period->as_of, "the day the figures are as of (today)");
  indicators->callback([period, &exit] {
    app::Application app(gateway::loadConfig(period->config));
    const auto as_of =
        period->as_of.empty() ? std::nullopt : std::optional<std::string>(period->as_of);
    try {
      std::cout << app.indicators().compute(period->from, period->to, as_of).dump(2) << "\n";
    } catch (const core::DomainError& e) {
      std::cerr << "passerelle: " << e.what() << "\n";
      exit.value = 1;
    }
  });

  auto* retention = program.add_subcommand("retention", "The retention rule.");
  retention->require_subcommand(1);
  auto config = std::make_shared<std::string>();
  auto dry_run = std::make_shared<bool>(false);
  auto* run = retention->add_subcommand(
      "run",
      "Erase (crypto-shredding) the dossiers whose last activity — last section write or "
      "pathway exit — is older than retention.months (default 24); --dry-run only lists them. "
      "A serving gateway does this itself at start and then daily; this command refuses to run "
      "beside it.");
  run->add_option("--config", *config, "the configuration file")->required();
  run->add_flag("--dry-run", *dry_run, "list the dossiers due, erase nothing");
  run->callback([config, dry_run] {
    app::Application app(gateway::loadConfig(*config));
    const auto report = app.retention().apply(*dry_run);
    std::cout << (*dry_run ? "would erase " : "erased ")
              << (*dry_run ? report.due.size() : report.erased)
              << " dossiers whose last activity is before " << report.cutoff << "\n";
    for (const auto& due : report.due)
      std::cout << "  " << due.id.str() << "  last activity " << due.last_activity << " ("
                << (due.basis == "date_sortie" ? "pathway exit" : "last section write") << ")\n";
  });
}

}  // namespace passerelle::cli
