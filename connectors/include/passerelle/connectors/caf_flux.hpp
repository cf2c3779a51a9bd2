#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace passerelle::connectors {

// The header of a CAF/MSA "flux RSA bénéficiaires" (CNAF schema vrsb0801).
struct CafFluxHeader {
  std::string type;            // TYPEFLUX: "M" monthly, "I" daily (instruction)
  std::string nature;          // NATFLUX
  std::string created_on;      // DTCREAFLUX, YYYY-MM-DD
  std::string reference_date;  // DTREF, YYYY-MM-DD
};

// What the first pass found: whether the file can be used at all, and which households break
// the schema. Positions are "line N: reason" (libxml2's words, which may quote the bad value:
// for the partner that sent it, never for the application log).
struct CafFluxCheck {
  CafFluxHeader header;
  std::size_t households = 0;                   // InfosFoyerRSA elements in the file
  std::map<std::size_t, std::string> rejected;  // household number (1-based) -> its first error
  std::optional<std::string> fatal;             // not well-formed, mis-encoded, truncated...
  std::optional<std::size_t> announced;         // NBTOTDOSRSATRANSM of the trailer

  // "the trailer announces N households ... but the file holds M", if they differ.
  std::optional<std::string> countMismatch() const;
};

// Validates a flux file against the CNAF schema (libxml2's XSD validator, embedded schema),
// streaming: constant memory whatever the file's size. The encoding is the one the XML prolog
// declares (windows-1252 in real files); no DOCTYPE, no network. Never throws for the file's
// content: what is wrong is in the result.
CafFluxCheck checkCafFlux(const std::filesystem::path& file);

// One member of a household as the DUI holds them: section name -> document (identite,
// identifiants, contact, foyer, droits), in UTF-8, to be validated against the section schemas.
struct CafPerson {
  nlohmann::json sections;
  std::string role;  // ROLEPERS of the RSA prestation: DEM, CJT, ENF...
};

// One household (InfosFoyerRSA) of the flux.
struct CafHousehold {
  std::size_t number = 0;  // 1-based, in file order
  std::size_t line = 0;    // where it starts
  std::string organisme;   // FONORG: CAF or MSA
  std::string numero_organisme;
  std::string matricule;
  std::vector<CafPerson> persons;
};

// Elements of the flux the DUI does not hold (data minimisation: pregnancy, resources and
// amounts, alimony, controls, third-party payment...), by name -> occurrences left out.
using IgnoredElements = std::map<std::string, std::size_t>;

// Second pass: maps each household that `check` did not reject, in file order, and hands it to
// `use`; counts in `ignored` what minimisation leaves out. One household in memory at a time.
// Throws DomainError(unusable_file) if the file is not the one checked (it changed in between).
void readCafFlux(const std::filesystem::path& file, const CafFluxCheck& check,
                 IgnoredElements& ignored, const std::function<void(const CafHousehold&)>& use);

}  // namespace passerelle::connectors
