#pragma once

#include <CLI/CLI.hpp>
#include <stdexcept>
#include <string>

namespace passerelle::cli {

// A command line the `passerelle` program cannot run, found once the options are read (two
// options that do not go together, a value out of its set): the message, exit status 2, as
// for CLI11's own errors.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The exit status a command sets: 0 unless it says otherwise (1: refused or failed; 3: an import
// with rejected records). Commands run inside CLI11's parse, so they report through this.
struct ExitStatus {
  int value = 0;
};

// Each file registers its commands on the program, with their help texts (the README's).
void addServeCommands(CLI::App& program, ExitStatus& exit);  // serve, demo
void addPolicyCommands(CLI::App& program,
                       ExitStatus& exit);                    // policy explain|check, consent verify
void addKeyCommands(CLI::App& program, ExitStatus& exit);    // keys init|public|...
void addAuditCommands(CLI::App& program, ExitStatus& exit);  // audit pubkey|verify|...
void addExportCommands(CLI::App& program, ExitStatus& exit);          // export keygen|run|open
void addImportCommands(CLI::App& program, ExitStatus& exit);          // import FORMAT FILE
void addReconciliationCommands(CLI::App& program, ExitStatus& exit);  // reconciliation list|...
void addOperationsCommands(CLI::App& program, ExitStatus& exit);      // indicators, retention
void addMigrateCommand(CLI::App& program, ExitStatus& exit);          // migrate
void addBackupCommands(CLI::App& program, ExitStatus& exit);          // backup, restore
void addManualCommand(CLI::App& program, ExitStatus& exit);           // manpage (hidden)

// The application log on stderr: text lines stamped in UTC, until a configuration asks for one
// JSON object a line (logging.cpp).
void setUpLogging();
void useJsonLogs();

// Blocks SIGINT, SIGTERM and SIGHUP in every thread (call before any thread starts), so that
// serving can await them (serve_commands.cpp).
void blockHandledSignals();

}  // namespace passerelle::cli
