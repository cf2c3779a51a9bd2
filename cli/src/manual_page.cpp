// `passerelle manpage`: the manual page passerelle(1), in roff, from the same texts as each
// command's --help (so that the two never disagree). Hidden from the command list.
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "commands.hpp"

namespace passerelle::cli {

namespace {

// Text as roff shows it: a backslash escaped, a line that would start with a control character
// protected, hyphens in option names kept as hyphens, and each non-ASCII character (the texts
// are French) as its code point, which troff reads whatever the locale.
std::string roff(const std::string& text) {
  std::string out;
  bool line_start = true;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (line_start && (c == '.' || c == '\'')) out += "\\&";
    line_start = c == '\n';
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      // UTF-8: the lead byte says how many continuation bytes follow.
      const int extra = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : 1;
      std::uint32_t point = c & (0x3f >> extra);
      for (int k = 0; k < extra && i + 1 < text.size(); ++k)
        point = (point << 6) | (static_cast<unsigned char>(text[++i]) & 0x3f);
      char escaped[16];
      std::snprintf(escaped, sizeof escaped, "\\[u%04X]", point);
      out += escaped;
    }
  }
  return out;
}

void describeCommand(std::ostream& out, const CLI::App& command, const std::string& path) {
  out << ".SS \"" << roff(path) << "\"\n" << roff(command.get_description()) << "\n";
  for (const auto* option : command.get_options()) {
    if (option->get_name() == "--help" || option->get_name() == "-h") continue;
    out << ".TP\n.B " << roff(option->get_name(false, true));
    if (!option->get_type_name().empty() && option->get_type_name() != "FLAG" &&
        option->get_items_expected_max() > 0)
      out << " \" " << roff(option->get_type_name()) << "\"";
    out << "\n" << roff(option->get_description());
    if (option->get_required()) out << " (required)";
    out << "\n";
  }
  for (const auto* sub :
       command.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
    describeCommand(out, *sub, path + " " + sub->get_name());
}

std::string manualPage(const CLI::App& program) {
  std::ostringstream out;
  out << ".TH PASSERELLE 1 \"\" \"Passerelle DUI\" \"User Commands\"\n"
      << ".SH NAME\npasserelle \\- " << roff("the gateway of the dossier unique d'insertion")
      << "\n.SH SYNOPSIS\n.B passerelle\n.I COMMAND\n[\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << roff(program.get_description()) << "\n.PP\n"
      << roff(program.get_footer()) << "\n.SH COMMANDS\n";
  for (const auto* command :
       program.get_subcommands([](const CLI::App* a) { return !a->get_group().empty(); }))
    describeCommand(out, *command, "passerelle " + command->get_name());
  out << ".SH SEE ALSO\nThe project's README.md and docs/ (configuration.md, api.md, "
         "operations.md).\n";
  return out.str();
}

}  // namespace

void addManualCommand(CLI::App& program, ExitStatus& exit) {
  auto* manpage = program.add_subcommand("manpage", "Print the manual page passerelle(1) (roff).");
  manpage->group("");  // not listed: a build step's
  manpage->callback([&program, &exit] {
    std::cout << manualPage(program);
    exit.value = 0;
  });
}

}  // namespace passerelle::cli
