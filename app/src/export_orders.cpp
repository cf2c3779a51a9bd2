#include "passerelle/app/export_orders.hpp"

#include "passerelle/connectors/export_job.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "passerelle/policies/engine.hpp"
#include "passerelle/schemas/field_catalogue.hpp"

namespace passerelle::app {

using core::DomainError;
using core::ErrorKind;

void ExportOrders::check(const ExportOrder& order) const {
  const auto* partner = registry_.byId(order.partner);
  if (partner == nullptr) throw DomainError(ErrorKind::forbidden, "no such partner");
  guard_.require(*partner, policies::Capability::exports, "ask for exports");
  const auto* study = partner->study(order.study);
  if (study == nullptr)
    throw DomainError(ErrorKind::not_found, "no study of that id is registered for the caller");
  const auto today = core::nowUtc().substr(0, 10);
  if (!study->validOn(today))
    throw DomainError(ErrorKind::forbidden, "study " + study->id + " is valid from " +
                                                study->valid_from + " to " + study->valid_until);
  const auto* profile = profiles_.find(order.profile);
  if (profile == nullptr) throw DomainError(ErrorKind::not_found, "no export profile of that id");
  if (!study->allows(profile->id))
    throw DomainError(ErrorKind::forbidden,
                      "study " + study->id + " may not ask for profile " + profile->id);
  const auto date = [](const std::optional<std::string>& d, const char* name) {
    if (d && !core::isCalendarDate(*d))
      throw DomainError(ErrorKind::invalid_input, std::string(name) + " must be a date YYYY-MM-DD");
  };
  date(order.period_from, "from");
  date(order.period_to, "to");
  date(order.reference_date, "reference_date");
  if (order.period_from && order.period_to && *order.period_to < *order.period_from)
    throw DomainError(ErrorKind::invalid_input, "to is before from");
  if (order.survey_contact && profile->survey_contact.empty())
    throw DomainError(ErrorKind::invalid_input,
                      "profile " + profile->id + " has no survey-contact file");
  if (order.survey_contact &&
      !guard_.grants({*partner, core::Purpose::evaluation}, policies::Access::survey_contact))
    throw DomainError(ErrorKind::forbidden,
                      "the sharing policy gives no legal basis for a survey-contact file");
}

nlohmann::json ExportOrders::run(const ExportOrder& order, const std::filesystem::path& out_dir) {
  check(order);
  const auto* partner = registry_.byId(order.partner);
  const auto* study = partner->study(order.study);
  const auto* profile = profiles_.find(order.profile);
  const auto today = core::nowUtc().substr(0, 10);
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  connectors::ExportRequest request;
  request.profile = profile;
  request.study_id = study->id;
  request.recipient = *crypto::recipientPublicKey(study->public_key);
  request.reference_date = order.reference_date.value_or(order.period_to.value_or(today));
  request.period_from = order.period_from;
  request.period_to = order.period_to;
  const Actor actor{partner->id, order.credential, core::Purpose::evaluation,
                    core::RequestId("export-" + core::nowUtc())};
  // One entry per person named in the survey-contact file, appended once the export is
  // published (memory: the persons who consented, not the population).
  std::vector<audit::AuditEvent> disclosures;
  if (order.survey_contact) {
    // Who appears, and with which fields, is the policy's decision for this person, with their
    // consents, under the policy in force when the export started: the guard decides, as for
    // an API read.
    const auto policy = guard_.policy();
    const auto now = core::nowUtc();
    const dossiers::Caller caller{*partner, core::Purpose::evaluation};
    request.survey_contact = [&, policy, now, caller](
                                 const core::DossierId& id,
                                 const std::map<core::Section, nlohmann::json>& sections) {
      connectors::ExportRequest::ContactFields fields;
      std::optional<policies::Decision> decision;
      try {
        decision = guard_.decideUnder(*policy, caller, id, policies::Access::survey_contact, now);
      } catch (const DomainError& e) {
        if (e.kind() != ErrorKind::not_found) throw;
        return fields;  // a person the caller may not know of is not in its file
      }
      auto documents = nlohmann::json::object();
      for (const auto& [section, document] : sections)
        documents[std::string(core::toString(section))] = document;
      const auto allowed =
          policies::filterDossier(*decision, catalogue, std::move(documents)).sections;
      AuditNote note;
      for (const auto& column : profile->survey_contact) {
        const nlohmann::json::json_pointer pointer(column.path.str());
        if (!allowed.contains(pointer) || allowed.at(pointer).is_null()) continue;
        fields.emplace(column.path.str(), allowed.at(pointer));
        note.disclosed.push_back(column.path.str());  // exactly what the file gets
      }
      if (fields.empty()) return fields;
      for (const auto& entry : decision->trace()) {
        note.rules.push_back(entry.rule_id);
        if (entry.consent_id) note.rules.push_back("consent:" + *entry.consent_id);
      }
      note.person = id;
      note.policy_version = policy->version();
      note.details = {{"study", order.study}, {"profile", order.profile}};
      disclosures.push_back(
          audit_.entry(actor, audit::AuditAction::survey_contact, note, 0, std::nullopt, false));
      return fields;
    };
  }
  const auto manifest =
      connectors::runExport(request, dossiers_, root_, signer_, catalogue, out_dir);
  AuditNote note;
  note.policy_version = guard_.policy()->version();
  note.details = {{"study", study->id},
                  {"profile", profile->id + "@" + profile->version},
                  {"persons", std::to_string(manifest["rows"].get<std::size_t>())},
                  {"suppressed", std::to_string(manifest["suppressed"].get<std::size_t>())}};
  if (order.survey_contact)
    note.details["survey_contacts"] =
        std::to_string(manifest["survey_contact"]["rows"].get<std::size_t>());
  audit_.append(audit_.entry(actor, audit::AuditAction::export_run, note, 0, std::nullopt, false));
  for (auto& disclosure : disclosures) {
    disclosure.time = core::nowUtc();
    disclosure.details["export"] = out_dir.filename().string();
    audit_.append(std::move(disclosure));
  }
  return manifest;
}

}  // namespace passerelle::app
