// `passerelle reconciliation list|resolve`: identity reconciliation from the command line, as
// the Département's operator, beside a stopped gateway (the API: /v1/reconciliation).
#include <iostream>

#include "commands.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::cli {

namespace {

struct Options {
  std::string config, as = "departement", case_id, decision, keep, kept_by;
};

// Runs `body`, reporting a refusal (exit 1) with the fields it names.
template <typename F>
int refusable(F body) {
  try {
    body();
    return 0;
  } catch (const core::DomainError& e) {
    std::cerr << "passerelle: refused: " << e.what() << "\n";
    for (const auto& f : e.fieldErrors())
      std::cerr << "  " << f.pointer << ": " << f.message << "\n";
    return 1;
  }
}

}  // namespace

void addReconciliationCommands(CLI::App& program, ExitStatus& exit) {
  auto* reconciliation = program.add_subcommand(
      "reconciliation",
      "The open identity reconciliation cases (JSON), or the decision on one. As the "
      "Département by default; recorded in the audit log; refuses to run beside a serving "
      "gateway (use /v1/reconciliation). Exit 1 if refused.");
  reconciliation->require_subcommand(1);
  auto o = std::make_shared<Options>();

  auto* list = reconciliation->add_subcommand("list", "The open cases (JSON).");
  list->add_option("--config", o->config, "the configuration file")->required();
  list->add_option("--as", o->as, "the partner acting")->capture_default_str();
  list->callback([o, &exit] {
    app::Application app(gateway::loadConfig(o->config));
    exit.value = refusable([&] {
      nlohmann::json cases = nlohmann::json::array();
      for (const auto& c : app.reconciliationCommands().cases(core::PartnerId(o->as)))
        cases.push_back(dossiers::caseJson(c));
      std::cout << nlohmann::json{{"cases", cases}}.dump(2) << "\n";
    });
  });

  auto* resolve = reconciliation->add_subcommand(
      "resolve",
      "The decision on a case: same_person (--keep: the other dossier is merged into it), "
      "different_people (the contested identifiers stay with --identifier-kept-by, or with no "
      "one), source_error (nothing changes).");
  resolve->add_option("CASE", o->case_id, "the case's id")->required();
  resolve->add_option("--config", o->config, "the configuration file")->required();
  resolve->add_option("--as", o->as, "the partner acting")->capture_default_str();
  resolve->add_option("--decision", o->decision, "same_person, different_people or source_error")
      ->required()
      ->check(CLI::IsMember({"same_person", "different_people", "source_error"}));
  resolve->add_option("--keep", o->keep, "same_person: the dossier that stays");
  resolve->add_option("--identifier-kept-by", o->kept_by,
                      "different_people: the dossier that keeps the contested identifiers");
  resolve->callback([o, &exit] {
    nlohmann::json decision = {{"decision", o->decision}};
    if (!o->keep.empty()) decision["keep"] = o->keep;
    if (o->decision == "different_people")
      decision["identifier_kept_by"] =
          o->kept_by.empty() ? nlohmann::json(nullptr) : nlohmann::json(o->kept_by);
    app::Application app(gateway::loadConfig(o->config));
    exit.value = refusable([&] {
      const auto outcome =
          app.reconciliationCommands().resolve(core::PartnerId(o->as), o->case_id, decision);
      std::cout << nlohmann::json{{"case", dossiers::caseJson(outcome.decided)}}.dump(2) << "\n";
    });
  });
}

}  // namespace passerelle::cli
