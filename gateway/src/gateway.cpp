#include "passerelle/gateway/gateway.hpp"

#include <Poco/Logger.h>

#include <chrono>
#include <cstdlib>
#include <deque>
#include <future>
#include <stdexcept>

#include "passerelle/connectors/dossier_walk.hpp"
#include "passerelle/connectors/export_job.hpp"
#include "passerelle/gateway/problem.hpp"
#include "passerelle/policies/engine.hpp"
#include "passerelle/policies/indicators.hpp"
#include "passerelle/store/pending_audit.hpp"

namespace passerelle::gateway {

namespace {

// Partner files sent to POST /v1/imports are spooled here, beside the store, readable by the
// gateway's user only; what a crash left behind is removed at start.
std::filesystem::path importSpool(const GatewayConfig& config) {
  std::filesystem::path dir = config.sqlite_file;
  dir += ".imports";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
  return dir;
}

}  // namespace

crypto::MasterKeys Gateway::loadMasterKeys(const GatewayConfig& config) {
  if (config.master_key_file) return crypto::MasterKeys::loadFile(*config.master_key_file);
  const char* text = std::getenv("PASSERELLE_MASTER_KEY");
  if (text == nullptr)
    throw std::runtime_error(
        "no master key: set master_key_file in the configuration or PASSERELLE_MASTER_KEY");
  return crypto::MasterKeys::parse(text, "PASSERELLE_MASTER_KEY");
}

std::shared_ptr<store::KeyStore> openKeyStore(const GatewayConfig& config) {
  store::KeyStore::Reload reload;
  // A rotation by `passerelle keys rotate` adds a version to the key file while we serve.
  if (config.master_key_file)
    reload = [file = *config.master_key_file] { return crypto::MasterKeys::loadFile(file); };
  return store::openKeyStore({config.sqlite_file}, Gateway::loadMasterKeys(config),
                             std::move(reload));
}

policies::PolicySet Gateway::loadPolicy(const GatewayConfig& config) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  return config.policies_dir ? policies::PolicySet::loadDirectory(*config.policies_dir, catalogue)
                             : policies::PolicySet::builtin(catalogue);
}

std::string gatewayPublicKey(const GatewayConfig& config) {
  return crypto::Signer(openKeyStore(config)->root().derive(crypto::KeyUse::signing))
      .publicKeyHex();
}

Gateway::Gateway(const GatewayConfig& config)
    : config_(config),
      lock_(
          [&] {
            auto file = config.sqlite_file;
            file += ".lock";
            return file;
          }(),
          "the store is in use by another passerelle process; stop it first — a running gateway "
          "applies retention itself, daily"),
      keys_(openKeyStore(config)),
      signer_(keys_->root().derive(crypto::KeyUse::signing)),
      registry_(policies::PartnerRegistry::loadFile(config.partners_file)),
      policies_(loadPolicy(config)),
      export_profiles_(policies::ExportProfiles::builtin(schemas::FieldCatalogue::builtin())),
      stores_(store::openSqliteStores({config.sqlite_file, 4}, keys_)),
      audit_store_(store::openSqliteAuditStore(
          {auditFile(config), 2, config.audit.busy_timeout_ms, config.audit.retention_months})),
      audit_(*audit_store_, signer_,
             {config.audit.log_id, std::chrono::milliseconds(config.audit.checkpoint_interval_ms),
              4096}),
      pseudonyms_(keys_->root()),
      pending_audit_(audit_, *stores_.pending_audit, pseudonyms_, {}),
      guard_(policies_, schemas::FieldCatalogue::builtin(), *stores_.relationships,
             *stores_.consents),
      relationships_(*stores_.relationships, *stores_.dossiers, guard_, registry_),
      consents_(*stores_.consents, *stores_.dossiers, guard_, registry_, signer_,
                config.controller),
      reconciliation_(*stores_.dossiers, validator_, guard_),
      dossiers_(std::make_unique<dossiers::DossierService>(*stores_.dossiers, validator_, guard_,
                                                           relationships_)),
      webhooks_(registry_, *dossiers_, *stores_.webhooks, config.webhooks),
      exports_(
          [&] {
            auto dir = config.sqlite_file;
            dir += ".exports";
            return dir;
          }(),
          [this](const ExportOrder& order, const std::filesystem::path& dir) {
            return runExport(order, dir);
          }),
      readiness_({[this] { return audit_.probeWritable(); },
                  [this] { return stores_.dossiers->probeWritable(); },
                  [this] { return keys_->probeReadable(); },
                  [this]() -> std::optional<std::string> {
                    const auto policy = policies_.current();
                    return policy ? std::optional(policy->version()) : std::nullopt;
                  }}),
      services_{
          guard_,
          *dossiers_,
          relationships_,
          consents_,
          reconciliation_,
          registry_,
          audit_,
          pending_audit_,
          pseudonyms_,
          [this] { return reloadPolicy(); },
          exports_,
          [this](const ExportOrder& order) { checkExportOrder(order); },
          [this](const std::string& from, const std::string& to) { return indicators(from, to); },
          [this](const ImportOrder& order, const std::filesystem::path& file) {
            return runImport(order, file);
          },
          importSpool(config),
          *stores_.webhooks,
          readiness_},
      server_(std::make_unique<GatewayServer>(config.server, services_)) {
  // What a process that died left committed without its entry is recorded before anything else.
  pending_audit_.recover();
}

Gateway::~Gateway() {
  stop();
}

void Gateway::start() {
  server_->start();
  webhooks_.start();
  if (config_.retention.daily && !retention_thread_.joinable()) {
    retention_stop_ = false;
    retention_thread_ = std::thread([this] { retentionLoop(); });
  }
}

void Gateway::stop() {
  server_->stop();
  webhooks_.stop();
  {
    std::lock_guard lock(retention_mutex_);
    retention_stop_ = true;
  }
  retention_wake_.notify_all();
  if (retention_thread_.joinable()) retention_thread_.join();
}

void Gateway::retentionLoop() {
  auto& log = Poco::Logger::get("passerelle.retention");
  std::unique_lock lock(retention_mutex_);
  while (!retention_stop_) {
    lock.unlock();
    try {
      const auto report = applyRetention(false);
      // Counts only: the application log holds no personal data, not even dossier ids.
      log.information("retention: %z dossiers erased (last activity before %s)", report.erased,
                      report.cutoff);
    } catch (const std::exception& e) {
      log.error("retention failed, will retry tomorrow: %s", std::string(e.what()));
    }
    lock.lock();
    retention_wake_.wait_for(lock, std::chrono::hours(24), [this] { return retention_stop_; });
  }
}

Gateway::RetentionReport Gateway::applyRetention(bool dry_run) {
  const dossiers::RetentionRule rule{config_.retention.months};
  const auto now = core::nowUtc();
  RetentionReport report{core::monthsBefore(now, rule.months),
                         dossiers::dueForErasure(*stores_.dossiers, rule, now), 0};
  if (dry_run) return report;
  const auto reason = dossiers::retentionReason(rule);
  for (const auto& due : report.due) {
    audit::AuditEvent event;
    event.time = core::nowUtc();
    event.credential = "system:retention";
    event.action = audit::AuditAction::dossier_erase;
    event.person = pseudonyms_.of(due.id);
    event.decision = audit::AuditDecision::allow;
    event.policy_version = policyVersion();
    event.request_id = core::RequestId("retention-" + event.time);
    event.details = {{"basis", due.basis},
                     {"last_activity", due.last_activity},
                     {"retention_months", std::to_string(rule.months)}};
    store::PendingAuditScope erasure([&] { return audit::pendingContext(event); });
    if (!stores_.dossiers->erase(due.id, reason, {core::PartnerId("passerelle"), "retention"}))
      continue;
    ++report.erased;
    pending_audit_.record(std::move(event), erasure.claim());
  }
  return report;
}

void Gateway::checkExportOrder(const ExportOrder& order) const {
  using core::DomainError;
  using core::ErrorKind;
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
  const auto* profile = export_profiles_.find(order.profile);
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
      !policies_.current()->grantsAny(partner->kind, core::Purpose::evaluation,
                                      policies::Access::survey_contact))
    throw DomainError(ErrorKind::forbidden,
                      "the sharing policy gives no legal basis for a survey-contact file");
}

nlohmann::json Gateway::runExport(const ExportOrder& order, const std::filesystem::path& out_dir) {
  checkExportOrder(order);
  const auto* partner = registry_.byId(order.partner);
  const auto* study = partner->study(order.study);
  const auto* profile = export_profiles_.find(order.profile);
  const auto today = core::nowUtc().substr(0, 10);
  connectors::ExportRequest request;
  request.profile = profile;
  request.study_id = study->id;
  request.recipient = *crypto::recipientPublicKey(study->public_key);
  request.reference_date = order.reference_date.value_or(order.period_to.value_or(today));
  request.period_from = order.period_from;
  request.period_to = order.period_to;
  // One entry per person named in the survey-contact file, appended once the export is
  // published (memory: the persons who consented, not the population).
  std::vector<audit::AuditEvent> disclosures;
  if (order.survey_contact) {
    // Who appears, and with which fields, is the policy's decision for this person, with their
    // consents in force when the export started: the same engine as an API read.
    const auto policy = policies_.current();
    const auto now = core::nowUtc();
    const policies::AccessSubject subject{partner->id, partner->kind, core::Purpose::evaluation,
                                          policies::Access::survey_contact, false};
    request.survey_contact = [this, policy, now, subject, profile, &order, &disclosures](
                                 const core::DossierId& id,
                                 const std::map<core::Section, nlohmann::json>& sections) {
      const auto& catalogue = schemas::FieldCatalogue::builtin();
      const auto decision =
          policies::decide(*policy, catalogue, subject, stores_.consents->consents(id), now);
      auto documents = nlohmann::json::object();
      for (const auto& [section, document] : sections)
        documents[std::string(core::toString(section))] = document;
      const auto allowed =
          policies::filterDossier(decision, catalogue, std::move(documents)).sections;
      connectors::ExportRequest::ContactFields fields;
      audit::AuditEvent event;
      for (const auto& column : profile->survey_contact) {
        const nlohmann::json::json_pointer pointer(column.path.str());
        if (!allowed.contains(pointer) || allowed.at(pointer).is_null()) continue;
        fields.emplace(column.path.str(), allowed.at(pointer));
        event.disclosed.push_back(column.path.str());  // exactly what the file gets
      }
      if (fields.empty()) return fields;
      for (const auto& entry : decision.trace()) {
        event.rules.push_back(entry.rule_id);
        if (entry.consent_id) event.rules.push_back("consent:" + *entry.consent_id);
      }
      event.person = pseudonyms_.of(id);
      event.partner = subject.partner;
      event.credential = order.credential;
      event.purpose = core::Purpose::evaluation;
      event.action = audit::AuditAction::survey_contact;
      event.decision = audit::AuditDecision::allow;
      event.policy_version = policy->version();
      event.details = {{"study", order.study}, {"profile", order.profile}};
      disclosures.push_back(std::move(event));
      return fields;
    };
  }
  const auto manifest = connectors::runExport(request, *stores_.dossiers, keys_->root(), signer_,
                                              schemas::FieldCatalogue::builtin(), out_dir);
  audit::AuditEvent event;
  event.time = core::nowUtc();
  event.partner = partner->id;
  event.credential = order.credential;
  event.purpose = core::Purpose::evaluation;
  event.action = audit::AuditAction::export_run;
  event.decision = audit::AuditDecision::allow;
  event.policy_version = policyVersion();
  event.request_id = core::RequestId("export-" + event.time);
  event.details = {{"study", study->id},
                   {"profile", profile->id + "@" + profile->version},
                   {"persons", std::to_string(manifest["rows"].get<std::size_t>())},
                   {"suppressed", std::to_string(manifest["suppressed"].get<std::size_t>())}};
  if (order.survey_contact)
    event.details["survey_contacts"] =
        std::to_string(manifest["survey_contact"]["rows"].get<std::size_t>());
  const auto request_id = event.request_id;
  audit_.append(std::move(event));
  for (auto& disclosure : disclosures) {
    disclosure.time = core::nowUtc();
    disclosure.request_id = request_id;
    disclosure.details["export"] = out_dir.filename().string();
    audit_.append(std::move(disclosure));
  }
  return manifest;
}

namespace {

// The HTTP status the same refusal gets from the API, for the audit entry.
int statusOf(const dossiers::ImportOutcome& outcome) {
  if (outcome.status == dossiers::ImportStatus::created) return 201;
  return outcome.refusal ? httpStatus(*outcome.refusal) : 200;
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

connectors::ImportReport Gateway::runImport(const ImportOrder& order,
                                            const std::filesystem::path& file) {
  const auto* partner = registry_.byId(order.partner);
  if (partner == nullptr)
    throw core::DomainError(core::ErrorKind::forbidden, "unknown partner " + order.partner.str());
  const dossiers::Caller caller{*partner, order.purpose};
  dossiers_->requireWriter(caller);
  const auto format = std::string(connectors::toString(order.format));
  // Who imported what, as every entry of the import says it.
  const auto importEvent = [&](audit::AuditAction action) {
    audit::AuditEvent event;
    event.time = core::nowUtc();
    event.partner = partner->id;
    event.credential = order.credential;
    event.purpose = order.purpose;
    event.action = action;
    event.request_id = order.request_id;
    return event;
  };
  // Each person's write carries its outbox row, which that person's entry claims.
  store::PendingAuditScope writes(
      [&] { return audit::pendingContext(importEvent(audit::AuditAction::dossier_import)); });
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
      pending_audit_.retire(std::move(s.claims));
    } catch (const audit::AuditUnavailable&) {
      // Refused whole while nothing is stored; once a person is, their entries are owed.
      if (!writes.committed()) throw;
      pending_audit_.adopt(std::move(s.event), std::move(s.claims));
    }
  };
  const auto observe = [&](const dossiers::ImportOutcome& outcome) {
    auto event = importEvent(audit::AuditAction::dossier_import);
    event.person = pseudonyms_.of(outcome.id);
    event.policy_version = outcome.decision.policy_version;
    event.rules = outcome.decision.grounds;
    if (outcome.status != dossiers::ImportStatus::refused) event.written = outcome.decision.fields;
    for (const auto& path : outcome.left_out) event.withheld.push_back({path.str(), "not_allowed"});
    event.status = statusOf(outcome);
    event.decision = outcome.refusal ? refusalDecision(event.status) : audit::AuditDecision::allow;
    event.details = {{"format", format}, {"outcome", std::string(outcomeName(outcome.status))}};
    if (outcome.matched_on)
      event.details["matched_on"] = std::string(core::toString(*outcome.matched_on));
    auto claims = writes.claim();
    auto done = audit_.submit(event, claims);
    pending.push_back({std::move(done), std::move(event), std::move(claims)});
    if (pending.size() >= 512) {
      settle(pending.front());
      pending.pop_front();
    }
  };
  auto report = connectors::runImport(order.format, file, *dossiers_, caller, "import:" + format,
                                      observe, order.options);
  for (auto& p : pending) settle(p);
  if (!order.record_run) return report;
  auto event = importEvent(audit::AuditAction::import_run);
  event.decision =
      report.rejected == 0 ? audit::AuditDecision::allow : audit::AuditDecision::partial;
  event.policy_version = policyVersion();
  event.status = 200;
  event.details = {{"format", format},
                   {"dry_run", order.options.dry_run ? "true" : "false"},
                   {"records", std::to_string(report.records)},
                   {"created", std::to_string(report.created)},
                   {"matched", std::to_string(report.matched)},
                   {"updated", std::to_string(report.updated)},
                   {"unchanged", std::to_string(report.unchanged)},
                   {"rejected", std::to_string(report.rejected)}};
  if (writes.committed())
    pending_audit_.record(std::move(event), {});
  else
    audit_.append(std::move(event));
  return report;
}

namespace {

// The entry a `passerelle reconciliation` command records, as the API would.
audit::AuditEvent reconciliationEvent(const policies::Partner& partner, audit::AuditAction action,
                                      const std::string& policy_version) {
  audit::AuditEvent event;
  event.time = core::nowUtc();
  event.partner = partner.id;
  event.credential = "cli:reconciliation";
  event.action = action;
  event.request_id = core::RequestId("reconciliation-" + event.time);
  event.policy_version = policy_version;
  return event;
}

}  // namespace

std::vector<store::ReconciliationCase> Gateway::reconciliationCases(
    const core::PartnerId& partner_id) {
  const auto* partner = registry_.byId(partner_id);
  if (partner == nullptr) throw core::DomainError(core::ErrorKind::forbidden, "no such partner");
  auto event =
      reconciliationEvent(*partner, audit::AuditAction::reconciliation_list, policyVersion());
  try {
    auto cases = reconciliation_.list({*partner, core::Purpose::instruction_rsa});
    event.decision = audit::AuditDecision::allow;
    event.status = 200;
    event.details["cases"] = std::to_string(cases.size());
    audit_.append(std::move(event));
    return cases;
  } catch (const core::DomainError& e) {
    event.status = httpStatus(e);
    event.decision = refusalDecision(event.status);
    audit_.append(std::move(event));
    throw;
  }
}

dossiers::CaseOutcome Gateway::reconcile(const core::PartnerId& partner_id,
                                         const std::string& case_id,
                                         const nlohmann::json& decision) {
  const auto* partner = registry_.byId(partner_id);
  if (partner == nullptr) throw core::DomainError(core::ErrorKind::forbidden, "no such partner");
  auto event =
      reconciliationEvent(*partner, audit::AuditAction::reconciliation_resolve, policyVersion());
  event.details["reconciliation_case"] = core::auditableId('k', case_id);
  store::PendingAuditScope writes([&] { return audit::pendingContext(event); });
  try {
    auto outcome =
        reconciliation_.resolve({*partner, core::Purpose::instruction_rsa}, case_id, decision);
    event.decision = audit::AuditDecision::allow;
    event.status = 200;
    event.details["decision"] = outcome.decided.status;
    auto claims = writes.claim();
    for (const auto& d : outcome.decided.dossiers) {
      auto entry = event;
      entry.person = pseudonyms_.of(d);
      pending_audit_.record(std::move(entry), std::exchange(claims, {}));
    }
    return outcome;
  } catch (const core::DomainError& e) {
    event.status = httpStatus(e);
    event.decision = refusalDecision(event.status);
    audit_.append(std::move(event));
    throw;
  }
}

nlohmann::ordered_json Gateway::indicators(const std::string& from, const std::string& to,
                                           const std::optional<std::string>& as_of) const {
  using core::DomainError;
  if (!core::isCalendarDate(from) || !core::isCalendarDate(to))
    throw DomainError(core::ErrorKind::invalid_input, "from and to must be dates YYYY-MM-DD");
  if (to < from) throw DomainError(core::ErrorKind::invalid_input, "to is before from");
  if (as_of && !core::isCalendarDate(*as_of))
    throw DomainError(core::ErrorKind::invalid_input, "as_of must be a date YYYY-MM-DD");
  policies::IndicatorCalculator calculator(policies::IndicatorDefinitions::builtin(), from, to,
                                           as_of.value_or(core::nowUtc().substr(0, 10)));
  connectors::forEachDossier(
      *stores_.dossiers,
      [&](const core::DossierId&, const std::map<core::Section, nlohmann::json>& sections) {
        calculator.add(sections);
      });
  return calculator.result();
}

std::string Gateway::reloadPolicy() {
  policies_.replace(loadPolicy(config_));
  return policies_.current()->version();
}

}  // namespace passerelle::gateway
