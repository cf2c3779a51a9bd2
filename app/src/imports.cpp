#include "passerelle/app/imports.hpp"

#include <deque>
#include <future>

#include "passerelle/app/error_table.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/metrics.hpp"
#include "passerelle/store/pending_audit.hpp"

namespace passerelle::app {

namespace {

// Import records by outcome (docs/operations.md, "Metrics"); the format is one of the importers'.
void countOutcomes(const std::string& format, const connectors::ImportReport& report) {
  static auto& records = core::metrics::registry().counter(
      "passerelle_import_records_total",
      "Persons in imported files by outcome: created, updated, unchanged or rejected.",
      {"format", "outcome"});
  for (const auto& [outcome, n] : {std::pair<const char*, std::size_t>{"created", report.created},
                                   {"updated", report.updated},
                                   {"unchanged", report.unchanged},
                                   {"rejected", report.rejected}})
    records.with({format, outcome}).add(n);
}

std::string_view outcomeName(dossiers::ImportStatus status) {
  switch (status) {
    case dossiers::ImportStatus::created:
      return "created";
    case dossiers::ImportStatus::updated:
      return "updated";
    case dossiers::ImportStatus::unchanged:
      return "unchanged";
    case dossiers::ImportStatus::refused:
      return "refused";
  }
  return "";
}

}  // namespace

connectors::ImportReport Imports::run(const ImportOrder& order, const std::filesystem::path& file) {
  const auto* partner = registry_.byId(order.partner);
  if (partner == nullptr)
    throw core::DomainError(core::ErrorKind::forbidden, "unknown partner " + order.partner.str());
  const dossiers::Caller caller{*partner, order.purpose};
  dossiers_.requireWriter(caller);
  const auto format = std::string(connectors::toString(order.format));
  const Actor actor{partner->id, order.credential, order.purpose, order.request_id};
  // Each person's write carries its outbox row, which that person's entry claims.
  store::PendingAuditScope writes([&] {
    return audit::pendingContext(
        audit_.entry(actor, audit::AuditAction::dossier_import, {}, 0, std::nullopt, false));
  });
  // Entries are submitted as persons are written and awaited in bounded batches: an import
  // does not wait for one durable audit write per person, nor hold a whole file's entries.
  struct Submitted {
    std::future<audit::Appended> done;
    audit::AuditEvent event;
    std::vector<std::string> claims;
  };
  std::deque<Submitted> pending;
  const auto settle = [&](Submitted& s) {
    try {
      s.done.get();
      audit_.pending().retire(std::move(s.claims));
    } catch (const audit::AuditUnavailable&) {
      // Refused whole while nothing is stored; once a person is, their entries are owed.
      if (!writes.committed()) throw;
      audit_.pending().adopt(std::move(s.event), std::move(s.claims));
    }
  };
  const auto observe = [&](const dossiers::ImportOutcome& outcome) {
    AuditNote note;
    note.person = outcome.id;
    note.policy_version = outcome.decision.policy_version;
    note.rules = outcome.decision.grounds;
    const bool refused = outcome.status == dossiers::ImportStatus::refused;
    if (!refused) note.written = outcome.decision.fields;
    for (const auto& path : outcome.left_out) note.withheld.push_back({path.str(), "not_allowed"});
    note.details = {{"format", format}, {"outcome", std::string(outcomeName(outcome.status))}};
    if (outcome.matched_on)
      note.details["matched_on"] = std::string(core::toString(*outcome.matched_on));
    // The status and decision the API gives the same refusal (error_table.hpp).
    const auto* refusal =
        outcome.refusal ? &describe(problemTypeOf(outcome.refusal->kind())) : nullptr;
    const int status = refusal                                             ? refusal->status
                       : outcome.status == dossiers::ImportStatus::created ? 201
                                                                           : 200;
    auto event = audit_.entry(actor, audit::AuditAction::dossier_import, note, status,
                              refusal ? std::optional(refusal->decision) : std::nullopt, false);
    if (!refusal) event.decision = audit::AuditDecision::allow;  // left-out fields are noted
    auto claims = writes.claim();
    auto done = audit_.log().submit(event, claims);
    pending.push_back({std::move(done), std::move(event), std::move(claims)});
    if (pending.size() >= 512) {
      settle(pending.front());
      pending.pop_front();
    }
  };
  auto report = connectors::runImport(order.format, file, dossiers_, caller, "import:" + format,
                                      observe, order.options);
  for (auto& p : pending) settle(p);
  if (!order.options.dry_run) countOutcomes(format, report);
  if (!order.record_run) return report;
  AuditNote note;
  note.policy_version = policies_.current()->version();
  note.details = {{"format", format},
                  {"dry_run", order.options.dry_run ? "true" : "false"},
                  {"records", std::to_string(report.records)},
                  {"created", std::to_string(report.created)},
                  {"matched", std::to_string(report.matched)},
                  {"updated", std::to_string(report.updated)},
                  {"unchanged", std::to_string(report.unchanged)},
                  {"rejected", std::to_string(report.rejected)}};
  if (report.stopped)
    note.details["stopped_at_record"] = std::to_string(report.stopped->position.record);
  const bool whole = report.rejected == 0 && !report.stopped;
  auto event =
      audit_.entry(actor, audit::AuditAction::import_run, note, 200,
                   whole ? std::nullopt : std::optional(audit::AuditDecision::partial), false);
  if (writes.committed())
    audit_.recordCommitted(std::move(event), {});
  else
    audit_.append(std::move(event));
  return report;
}

}  // namespace passerelle::app
