// Every command of the `passerelle` program has its --help, and the manual page passerelle(1),
// generated from the same texts, lists every command and renders without a warning (issue 24).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "command.hpp"
#include "temp_dir.hpp"

namespace passerelle::testing {
namespace {

TEST(CommandHelpTest, EveryCommandHasItsHelpAndTheManualPageListsThemAll) {
  const auto page = runCommand(PASSERELLE_BINARY, {"manpage"});
  ASSERT_EQ(page.status, 0) << page.output;
  // The commands the page describes, from its `.SS "passerelle keys rotate"` headings.
  std::vector<std::vector<std::string>> commands;
  std::istringstream lines(page.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(".SS \"passerelle ", 0) != 0) continue;
    std::istringstream words(line.substr(16, line.size() - 17));
    std::vector<std::string> path;
    for (std::string w; words >> w;) {
      for (std::size_t at; (at = w.find("\\-")) != std::string::npos;) w.erase(at, 1);
      path.push_back(w);
    }
    commands.push_back(path);
  }
  ASSERT_GE(commands.size(), 25u) << page.output;

  const auto top = runCommand(PASSERELLE_BINARY, {"--help"});
  for (auto path : commands) {
    if (path.size() == 1) {
      EXPECT_TRUE(contains(top.output, "\n  " + path[0] + " ")) << path[0] << " not in --help";
    }
    std::string name = "passerelle";
    for (const auto& w : path) name += " " + w;
    path.push_back("--help");
    const auto help = runCommand(PASSERELLE_BINARY, path);
    EXPECT_EQ(help.status, 0) << name << ": " << help.output;
    EXPECT_TRUE(contains(help.output, "Usage: ")) << name << ": " << help.output;
  }
  EXPECT_FALSE(contains(top.output, "manpage")) << "the page's own command is not listed";

  // As man shows it, every warning turned on: none.
  TempDir dir;
  const auto file = dir / "passerelle.1";
  std::ofstream(file) << page.output << std::flush;
  const auto rendered =
      runCommand("/usr/bin/groff", {"-man", "-Tutf8", "-ww", "-z", file.string()});
  EXPECT_EQ(rendered.status, 0) << rendered.output;
  EXPECT_EQ(rendered.output, "") << "groff's warnings";
}

}  // namespace
}  // namespace passerelle::testing
