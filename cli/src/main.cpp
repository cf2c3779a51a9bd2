// The `passerelle` program: the gateway's server and its operators' commands (README, "Commands").
#include <iostream>

#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace passerelle::cli;
  CLI::App program(
      "Passerelle DUI: the gateway of the dossier unique d'insertion, and its operators' "
      "commands. `passerelle COMMAND --help` says what each takes.",
      "passerelle");
  program.require_subcommand(1);
  ExitStatus exit;
  addServeCommands(program, exit);
  addPolicyCommands(program, exit);
  addKeyCommands(program, exit);
  addAuditCommands(program, exit);
  addExportCommands(program, exit);
  addImportCommands(program, exit);
  addReconciliationCommands(program, exit);
  addOperationsCommands(program, exit);
  addMigrateCommand(program, exit);
  addBackupCommands(program, exit);
  // After the commands, which would copy it into their own help.
  program.footer(
      "While serving, SIGHUP reloads the sharing policy (a bad policy is refused and the one in "
      "force stays).");
  addManualCommand(program, exit);  // after the footer: the page shows it
  if (argc <= 1) {
    std::cout << program.help();
    return 2;
  }
  blockHandledSignals();
  setUpLogging();
  try {
    program.parse(argc, argv);  // runs the command
    return exit.value;
  } catch (const CLI::CallForHelp& e) {
    return program.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return program.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "passerelle: " << e.what() << "\nRun with --help for more information.\n";
    return 2;
  } catch (const UsageError& e) {
    std::cerr << "passerelle: " << e.what() << "\nRun with --help for more information.\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "passerelle: " << e.what() << "\n";
    return 1;
  }
}
