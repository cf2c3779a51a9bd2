#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>
#include <string>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/policies/anonymity_planner.hpp"
#include "passerelle/policies/export_profile.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::connectors {

// What an évaluateur asked for: a profile, for a study, over the people whose pathway was open
// during a period (everyone if none).
struct ExportRequest {
  const policies::ExportProfile* profile = nullptr;
  std::string study_id;
  std::array<std::uint8_t, 32> recipient{};  // the study's X25519 public key
  std::string reference_date;                // YYYY-MM-DD: ages are computed at this date
  std::optional<std::string> period_from;    // YYYY-MM-DD
  std::optional<std::string> period_to;      // YYYY-MM-DD
  // The profile's contact fields the study may have of one person (catalogue path -> value),
  // as the sharing policy and the person's consents decide; empty: the person stays out.
  using ContactFields = std::map<std::string, nlohmann::json>;
  // Set when a survey-contact file is asked for; called only for persons whose row leaves, and
  // what it returns is exactly what the file gets.
  std::function<ContactFields(const core::DossierId&,
                              const std::map<core::Section, nlohmann::json>&)>
      survey_contact;
};

// The population changed between the two passes so that a class that leaves fell below k
// (dossiers erased meanwhile): nothing was published; run the export again.
class PopulationChanged : public core::DomainError {
 public:
  explicit PopulationChanged(const std::string& message)
      : core::DomainError(core::ErrorKind::conflict, message) {}
};

// Runs a pseudonymised export into `out_dir` (which must not exist): two passes over the
// store (plan the anonymity, then write), rows streamed into data.csv.sealed and
// data.ndjson.sealed (sealed to the study's key), the data dictionary in clear (dictionary.json,
// dictionary.md), survey-contact.csv.sealed if asked (pseudonym and the profile's contact columns
// of the persons `survey_contact` lets through), and manifest.json signed by `signer`. Written
// under `out_dir` + ".partial" and renamed at the end, so that an interrupted export never looks
// complete. Memory is bounded by the number of equivalence classes, not of dossiers. Returns the
// manifest.
nlohmann::json runExport(const ExportRequest& request, const store::DossierStore& store,
                         const crypto::RootKey& root, const crypto::Signer& signer,
                         const schemas::FieldCatalogue& catalogue,
                         const std::filesystem::path& out_dir);

// On the évaluateur's side: checks the manifest's signature (and, if given, that
// `expected_signer` made it), every file's hash, and decrypts the sealed files into `out_dir`
// (which must not exist). Throws DomainError saying what is wrong (integrity for a
// refused export, invalid_input for an existing out_dir, unavailable for a failed write); nothing
// decrypted is left behind on failure. Returns the manifest.
nlohmann::json openExport(const std::filesystem::path& export_dir,
                          const crypto::RecipientKeys& keys,
                          const std::optional<std::string>& expected_signer,
                          const std::filesystem::path& out_dir);

}  // namespace passerelle::connectors
