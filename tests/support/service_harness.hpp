#pragma once

#include <memory>
#include <string>

#include "passerelle/crypto/signer.hpp"
#include "passerelle/dossiers/consent_service.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/dossiers/relationship_service.hpp"
#include "passerelle/store/sqlite_store.hpp"
#include "temp_dir.hpp"

namespace passerelle::testing {

// The real services over a real SQLite file and the default policy, without a server: for
// tests of the use cases. Partners: departement, caf, france-travail, mission-locale,
// cap-emploi (structures référentes), evaluateur, dpo.
class ServiceHarness {
 public:
  ServiceHarness();

  const policies::Partner& partner(const std::string& id) const;
  dossiers::Caller as(const std::string& id,
                      core::Purpose purpose = core::Purpose::accompagnement) const {
    return {partner(id), purpose};
  }

  // Creates a dossier as the CAF (identite, identifiants.caf, contact, foyer, droits of the
  // synthetic person `index`) and returns its id.
  core::DossierId createAsCaf(std::size_t index = 0);

  TempDir dir;
  std::shared_ptr<store::KeyStore> keys;
  crypto::Signer signer;
  policies::PartnerRegistry registry;
  dossiers::PolicyHolder policies;
  store::SqliteStores stores;
  schemas::SectionValidator validator;
  dossiers::AccessGuard guard;
  dossiers::RelationshipService relationships;
  dossiers::ConsentService consents;
  dossiers::DossierService dossiers;
};

}  // namespace passerelle::testing
