#include "passerelle/dossiers/relationship_service.hpp"

#include "body_reader.hpp"
#include "passerelle/core/domain_error.hpp"
#include "random_id.hpp"

namespace passerelle::dossiers {

using core::DomainError;
using core::ErrorKind;
using core::Relationship;
using core::RelationshipOrigin;

nlohmann::json relationshipJson(const Relationship& r, const core::UtcTime& now) {
  nlohmann::json out = {{"id", r.id},
                        {"partner", r.partner.str()},
                        {"origin", std::string(core::toString(r.origin))},
                        {"starts_at", r.starts_at},
                        {"created_by", r.created_by.str()},
                        {"reason", r.reason},
                        {"active", r.activeAt(now)}};
  if (r.ends_at) out["ends_at"] = *r.ends_at;
  if (r.ended_at) out["ended_at"] = *r.ended_at;
  return out;
}

void RelationshipService::requireManager(const Caller& caller) const {
  if (!guard_.policy()->managesRelationships(caller.partner.kind))
    throw DomainError(ErrorKind::forbidden, "only the Département attaches and detaches partners");
}

void RelationshipService::requireDossier(const core::DossierId& id) const {
  if (!dossiers_.exists(id)) throw DomainError(ErrorKind::not_found, "no such dossier");
}

void RelationshipService::attachSource(const Caller& caller, const core::DossierId& id,
                                       const core::UtcTime& now) {
  if (!guard_.policy()->isSource(caller.partner.kind) || guard_.related(caller, id, now)) return;
  relationships_.addRelationship({randomId('r'), id, caller.partner.id, RelationshipOrigin::source,
                                  now, std::nullopt, std::nullopt, caller.partner.id,
                                  "source du dossier"});
}

void RelationshipService::followOrientation(const core::DossierId& id,
                                            const nlohmann::json& orientation,
                                            const core::PartnerId& by, const core::UtcTime& now) {
  if (!orientation.contains("structure_referente")) return;
  const core::PartnerId structure(orientation["structure_referente"].get<std::string>());
  bool already = false;
  for (const auto& r : relationships_.relationships(id)) {
    if (r.origin != RelationshipOrigin::orientation || !r.activeAt(now)) continue;
    if (r.partner == structure)
      already = true;
    else
      relationships_.endRelationship(id, r.id, now);  // the old référent hands over
  }
  if (!already)
    relationships_.addRelationship({randomId('r'), id, structure, RelationshipOrigin::orientation,
                                    now, std::nullopt, std::nullopt, by,
                                    "orientation vers la structure référente"});
}

std::vector<Relationship> RelationshipService::list(const Caller& caller,
                                                    const core::DossierId& id) const {
  const auto policy = guard_.policy();
  if (!policy->managesRelationships(caller.partner.kind) &&
      !policy->readsHistory(caller.partner.kind))
    throw DomainError(ErrorKind::forbidden,
                      "relationships are listed for the Département and the DPO");
  requireDossier(id);
  return relationships_.relationships(id);
}

Relationship RelationshipService::attach(const Caller& caller, const core::DossierId& id,
                                         const nlohmann::json& body) {
  requireManager(caller);
  requireDossier(id);
  const auto now = core::nowUtc();
  BodyReader in(body);
  in.onlyKeys({"partner", "reason", "starts_at", "ends_at"});
  const auto partner = in.text("partner", true, 64);
  const auto reason = in.text("reason", true);
  const auto starts = in.time("starts_at", false);
  const auto ends = in.time("ends_at", false);
  if (partner && registry_.byId(core::PartnerId(*partner)) == nullptr)
    in.error("/partner", "partner", "no partner with this id in the registry");
  if (ends && *ends <= starts.value_or(now))
    in.error("/ends_at", "minimum", "must come after starts_at");
  in.finish("the relationship");
  Relationship r{randomId('r'),
                 id,
                 core::PartnerId(*partner),
                 RelationshipOrigin::departement,
                 starts.value_or(now),
                 ends,
                 std::nullopt,
                 caller.partner.id,
                 *reason};
  relationships_.addRelationship(r);
  return r;
}

void RelationshipService::end(const Caller& caller, const core::DossierId& id,
                              const std::string& relationship_id) {
  requireManager(caller);
  requireDossier(id);
  if (!relationships_.endRelationship(id, relationship_id, core::nowUtc()))
    throw DomainError(ErrorKind::not_found, "no active relationship with that id on this dossier");
}

}  // namespace passerelle::dossiers
