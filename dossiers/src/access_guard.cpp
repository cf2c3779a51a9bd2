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

bool AccessGuard::grants(const Caller& caller, policies::Access access) const {
  return policies_.current()->grantsAny(caller.partner.kind, caller.purpose, access);
}

void AccessGuard::requireCapability(const Caller& caller, policies::Access access) const {
  if (!grants(caller, access))
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
  const bool skip_visibility = attaching && policy->isSource(caller.partner.kind);
  return decideFor(*policy, caller, id, access, now, skip_visibility);
}

policies::Decision AccessGuard::decideUnder(const policies::PolicySet& policy, const Caller& caller,
                                            const core::DossierId& id, policies::Access access,
                                            const core::UtcTime& now) const {
  return decideFor(policy, caller, id, access, now, false);
}

policies::Decision AccessGuard::decideFor(const policies::PolicySet& policy, const Caller& caller,
                                          const core::DossierId& id, policies::Access access,
                                          const core::UtcTime& now, bool attaching_source) const {
  const bool needs_relationship = policy.requiresRelationship(caller.partner.kind);
  if (!attaching_source && needs_relationship && !related(caller, id, now))
    throw DomainError(ErrorKind::not_found, "no such dossier");
  // Past this point, the caller is related whenever its kind needs to be.
  return policies::decide(
      policy, catalogue_,
      {caller.partner.id, caller.partner.kind, caller.purpose, access, needs_relationship},
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
