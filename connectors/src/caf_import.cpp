#include "import_formats.hpp"
#include "passerelle/connectors/caf_flux.hpp"
#include "passerelle/connectors/delimited_reader.hpp"

namespace passerelle::connectors::detail {

void importCafFlux(const std::filesystem::path& file, bool accept_count_mismatch,
                   ImportReport& report, const PersonSink& sink) {
  // The whole file is checked first: a broken one is refused before anything is written.
  const auto check = checkCafFlux(file);
  if (check.fatal) throw FileFormatError("the CAF flux cannot be used: " + *check.fatal);
  if (const auto mismatch = check.countMismatch()) {
    if (!accept_count_mismatch)
      throw FileFormatError("the CAF flux cannot be used: " + *mismatch +
                            ": incomplete or altered, refused (accept_count_mismatch imports it "
                            "anyway)");
    report.warnings.push_back(*mismatch + ": imported as asked (accept_count_mismatch)");
  }
  report.records = check.households;
  report.details = {{"type", check.header.type},
                    {"nature", check.header.nature},
                    {"created_on", check.header.created_on},
                    {"reference_date", check.header.reference_date}};
  for (const auto& [number, reason] : check.rejected)
    report.reject({number, 0, std::nullopt},
                  "household does not follow the CNAF schema: " + reason);
  // What the flux states whole: a suspension that ended, an old address line, must not linger.
  const std::vector<core::FieldPath> replace = {core::FieldPath("/droits/rsa"),
                                                core::FieldPath("/contact/adresse")};
  readCafFlux(file, check, report.ignored, [&](const CafHousehold& household) {
    std::size_t rank = 0;
    for (const auto& person : household.persons) {
      ++report.persons;
      dossiers::ImportPerson mapped;
      mapped.sections = person.sections;
      mapped.replace = replace;
      sink({household.number, household.line, ++rank}, mapped);
    }
  });
}

}  // namespace passerelle::connectors::detail
