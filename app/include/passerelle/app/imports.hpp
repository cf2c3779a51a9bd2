#pragma once

#include <filesystem>
#include <string>

#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/connectors/importer.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/dossiers/policy_holder.hpp"
#include "passerelle/policies/partner_registry.hpp"

namespace passerelle::app {

// Who imports what (POST /v1/imports/{format}, passerelle import).
struct ImportOrder {
  core::PartnerId partner;
  std::string credential;  // as the audit log names it
  core::Purpose purpose;
  connectors::ImportFormat format;
  core::RequestId request_id;
  // Whether run() appends the `import_run` entry; an HTTP request's own entry is that record,
  // so the route says no.
  bool record_run = true;
  connectors::ImportOptions options;  // dry run, accept a CAF trailer's wrong count
};

// Partner files imported through the dossier service, as the order's partner and purpose, each
// person audited. Thread-safe.
class Imports {
 public:
  Imports(const policies::PartnerRegistry& registry, const dossiers::PolicyHolder& policies,
          dossiers::DossierService& dossiers, AuditRecorder& audit)
      : registry_(registry), policies_(policies), dossiers_(dossiers), audit_(audit) {}

  // Imports a partner file (connectors::runImport): every person created, matched or refused
  // gets a `dossier_import` entry (each written with its person's change, one transaction), the
  // file one `import_run` entry with the counts. Throws connectors::FileFormatError for an
  // unusable file, core::DomainError(forbidden) for a partner that may not write.
  connectors::ImportReport run(const ImportOrder& order, const std::filesystem::path& file);

 private:
  const policies::PartnerRegistry& registry_;
  const dossiers::PolicyHolder& policies_;
  dossiers::DossierService& dossiers_;
  AuditRecorder& audit_;
};

}  // namespace passerelle::app
