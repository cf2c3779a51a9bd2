#include "passerelle/app/audit_recorder.hpp"

#include "passerelle/core/utc_time.hpp"
#include "passerelle/schemas/field_catalogue.hpp"

namespace passerelle::app {

namespace {

void recordGrounds(AuditNote& note, const dossiers::DecisionRecord& decision) {
  note.policy_version = decision.policy_version;
  note.rules = decision.grounds;
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  for (const auto& w : decision.withheld) {
    const auto* field = catalogue.find(w.path);
    const bool sensitive = field != nullptr && field->category == core::FieldCategory::sensible;
    (sensitive ? note.withheld_sensitive : note.withheld)
        .push_back({w.path, std::string(policies::toString(w.reason))});
  }
}

}  // namespace

void AuditNote::recordRead(const dossiers::DecisionRecord& decision) {
  recordGrounds(*this, decision);
  disclosed = decision.fields;
}

void AuditNote::recordWrite(const dossiers::DecisionRecord& decision) {
  recordGrounds(*this, decision);
  written = decision.fields;
}

audit::AuditEvent AuditRecorder::entry(const Actor& actor, audit::AuditAction action,
                                       const AuditNote& note, int status,
                                       std::optional<audit::AuditDecision> refusal,
                                       bool committed) const {
  audit::AuditEvent e;
  e.time = core::nowUtc();
  e.partner = actor.partner;
  e.credential = actor.credential;
  e.purpose = actor.purpose;
  e.action = note.action.value_or(action);
  if (note.person) e.person = pseudonyms_.of(*note.person);
  if (!refusal) e.disclosed = note.disclosed;  // a failed request disclosed nothing
  if (!refusal || committed) e.written = note.written;
  e.withheld = note.withheld;
  e.withheld_sensitive = note.withheld_sensitive;
  e.decision = refusal.value_or(note.withheld.empty() ? audit::AuditDecision::allow
                                                      : audit::AuditDecision::partial);
  e.policy_version = note.policy_version;
  e.rules = note.rules;
  e.request_id = actor.request_id;
  e.status = status;
  e.details = note.details;
  return e;
}

}  // namespace passerelle::app
