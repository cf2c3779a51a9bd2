#include "passerelle/dossiers/access_guard.hpp"

#include <algorithm>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::dossiers {

using core::DomainError;
using core::ErrorKind;

void refuseFields(const std::string& message, const std::vector<policies::WithheldField>& fields) {
  std::vector<core::FieldError> errors;
  for (const auto& f : fields)
    errors.push_back({f.path, std::string(policies::toString(f.reason)),
                      f.reason == policies::WithholdReason::consent_required
                          ? "needs the person's consent, and none in force covers it"
                          : "not granted to this partner kind for this purpose"});
  throw DomainError(ErrorKind::forbidden, message, std::move(errors));
}

void AccessGuard::requireCapability(const Caller& caller, policies::Access access) const {
  if (!policies_.current()->grantsAny(caller.partner.kind, caller.purpose, access))
    throw DomainError(ErrorKind::forbidden, "the sharing policy gives partners of kind " +
                                                std::string(core::toString(caller.partner.kind)) +
                                                " no " + std::string(policies::toString(access)) +
                                                " access for the purpose " +
                                                std::string(core::toString(caller.purpose)));
}

void AccessGuard::require(const policies::Partner& partner, policies::Capability capability,
                          const std::string& what) const {
  if (!may(partner, capability))
    throw DomainError(ErrorKind::forbidden, "the sharing policy does not let partners of kind " +
                                                std::string(core::toString(partner.kind)) + " " +
                                                what + " (capability " +
                                                std::string(policies::toString(capability)) + ")");
}

bool AccessGuard::related(const Caller& caller, const core::DossierId& id,
                          const core::UtcTime& now) const {
  const auto all = relationships_.relationships(id);
  return std::any_of(all.begin(), all.end(), [&](const core::Relationship& r) {
    return r.partner == caller.partner.id && r.activeAt(now);
  });
}

void AccessGuard::requireVisible(const Caller& caller, const core::DossierId& id,
                                 const core::UtcTime& now) const {
  if (policies_.current()->requiresRelationship(caller.partner.kind) && !related(caller, id, now))
    throw DomainError(ErrorKind::not_found, "no such dossier");
}

policies::Decision AccessGuard::decide(const Caller& caller, const core::DossierId& id,
                                       policies::Access access, const core::UtcTime& now,
                                       bool attaching) const {
  const auto policy = policies_.current();
  if (!attaching || !policy->isSource(caller.partner.kind)) requireVisible(caller, id, now);
  // Past requireVisible, the caller is related whenever its kind needs to be.
  const bool is_related = policy->requiresRelationship(caller.partner.kind);
  return policies::decide(
      *policy, catalogue_,
      {caller.partner.id, caller.partner.kind, caller.purpose, access, is_related},
      consents_.consents(id), now);
}

policies::Decision AccessGuard::decideNew(const Caller& caller, policies::Access access,
                                          const core::UtcTime& now) const {
  const auto policy = policies_.current();
  const bool source = policy->isSource(caller.partner.kind);
  if (policy->requiresRelationship(caller.partner.kind) && !source)
    throw DomainError(ErrorKind::forbidden,
                      "partners of kind " + std::string(core::toString(caller.partner.kind)) +
                          " work on the dossiers they are attached to and do not create dossiers");
  return policies::decide(*policy, catalogue_,
                          {caller.partner.id, caller.partner.kind, caller.purpose, access, true},
                          {}, now);
}

}  // namespace passerelle::dossiers
