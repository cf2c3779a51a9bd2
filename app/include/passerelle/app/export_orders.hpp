#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>

#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/app/export_jobs.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/policies/export_profile.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/store/dossier_store.hpp"

namespace passerelle::app {

// An évaluateur's pseudonymised exports (docs/exports.md): who may ask for which, and the run
// itself. Thread-safe (runs happen on the export jobs' thread, checks on request threads).
class ExportOrders {
 public:
  ExportOrders(const policies::PartnerRegistry& registry, const dossiers::AccessGuard& guard,
               const policies::ExportProfiles& profiles, const store::DossierStore& dossiers,
               const crypto::RootKey& root, const crypto::Signer& signer, AuditRecorder& audit)
      : registry_(registry),
        guard_(guard),
        profiles_(profiles),
        dossiers_(dossiers),
        root_(root),
        signer_(signer),
        audit_(audit) {}

  // Checks an order: the policy lets the partner's kind ask for exports, the study is its own
  // and valid today, the profile exists and the study may ask for it, the dates are dates, and
  // a survey-contact file has a legal basis in the policy. Throws core::DomainError (forbidden,
  // not_found, invalid_input) saying which.
  void check(const ExportOrder& order) const;

  // Runs a checked order into `out_dir` (connectors::runExport) and returns its manifest;
  // recorded in the audit log: one `export_run` entry (who, study, profile, how many persons)
  // and one `survey_contact` entry per person named in a survey-contact file, with exactly the
  // fields it got.
  nlohmann::json run(const ExportOrder& order, const std::filesystem::path& out_dir);

 private:
  const policies::PartnerRegistry& registry_;
  const dossiers::AccessGuard& guard_;
  const policies::ExportProfiles& profiles_;
  const store::DossierStore& dossiers_;
  const crypto::RootKey& root_;
  const crypto::Signer& signer_;
  AuditRecorder& audit_;
};

}  // namespace passerelle::app
