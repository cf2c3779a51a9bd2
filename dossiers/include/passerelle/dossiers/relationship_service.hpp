#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "passerelle/dossiers/access_guard.hpp"
#include "passerelle/policies/partner_registry.hpp"
#include "passerelle/store/dossier_store.hpp"
#include "passerelle/store/relationship_store.hpp"

namespace passerelle::dossiers {

// Partner-person relationships (rattachements): who may see a person's dossier beyond the
// Département. Safe to share across request threads.
class RelationshipService {
 public:
  RelationshipService(store::RelationshipStore& relationships, const store::DossierStore& dossiers,
                      const AccessGuard& guard, const policies::PartnerRegistry& registry)
      : relationships_(relationships), dossiers_(dossiers), guard_(guard), registry_(registry) {}

  // Attaches a source partner (CAF, MSA, France Travail) to a dossier it created or matched,
  // unless it already is.
  void attachSource(const Caller& caller, const core::DossierId& id, const core::UtcTime& now);

  // Follows an orientation decision: the structure référente it names is attached, and any
  // other structure attached by an earlier orientation is detached (the handover).
  void followOrientation(const core::DossierId& id, const nlohmann::json& orientation,
                         const core::PartnerId& by, const core::UtcTime& now);

  // Every relationship of the dossier (relationship managers and history readers only).
  std::vector<core::Relationship> list(const Caller& caller, const core::DossierId& id) const;

  // Attaches a partner explicitly: body {"partner", "reason", "starts_at"?, "ends_at"?}
  // (relationship managers only).
  core::Relationship attach(const Caller& caller, const core::DossierId& id,
                            const nlohmann::json& body);

  // Ends a relationship now (relationship managers only); not_found if there is no such active
  // relationship.
  void end(const Caller& caller, const core::DossierId& id, const std::string& relationship_id);

 private:
  void requireManager(const Caller& caller) const;
  void requireDossier(const core::DossierId& id) const;

  store::RelationshipStore& relationships_;
  const store::DossierStore& dossiers_;
  const AccessGuard& guard_;
  const policies::PartnerRegistry& registry_;
};

nlohmann::json relationshipJson(const core::Relationship& relationship, const core::UtcTime& now);

}  // namespace passerelle::dossiers
