// The audit log: the DPO's search and the person's access report; checkpoints and proofs for
// every partner.
#include <charconv>

#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/connectors/csv_writer.hpp"
#include "passerelle/gateway/problem.hpp"
#include "passerelle/schemas/field_catalogue.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

void badParameter(const std::string& detail) {
  throw ProblemException({ProblemType::malformed_request, detail, {}});
}

std::map<std::string, std::string> queryParams(const ApiRequest& request,
                                               const std::set<std::string>& allowed) {
  std::map<std::string, std::string> out;
  for (const auto& [name, value] : request.query()) {
    if (allowed.count(name) == 0) {
      // The parameter's name is the client's text: the answer names what is taken instead.
      std::string taken;
      for (const auto& a : allowed) taken += (taken.empty() ? "" : ", ") + a;
      badParameter("a query parameter this endpoint does not take" +
                   (taken.empty() ? std::string(" (it takes none)") : " (it takes " + taken + ")"));
    }
    if (!out.emplace(name, value).second) badParameter("query parameter " + name + " given twice");
  }
  return out;
}

namespace {

// What these routes call, and nothing else.
struct AuditRouteServices {
  const dossiers::AccessGuard& guard;
  const policies::PartnerRegistry& registry;
  audit::AuditLog& audit_log;
  app::AuditRecorder& audit;
};

using nlohmann::json;

constexpr std::size_t kMaxPage = 1000;
constexpr std::size_t kMaxCsvRows = 10000;

std::vector<std::string> hexList(const std::vector<crypto::Hash>& hashes) {
  std::vector<std::string> out;
  for (const auto& h : hashes) out.push_back(audit::hashHex(h));
  return out;
}

bool wantsCsv(ApiRequest& request) {
  return request.http().get("Accept", "").find("text/csv") != std::string::npos;
}

// ---- search ----

store::AuditQuery queryOf(AuditRouteServices& services, ApiRequest& request, bool csv) {
  const auto params = queryParams(request, {"person", "partner", "purpose", "action", "decision",
                                            "from", "to", "after", "limit"});
  store::AuditQuery q;
  if (auto it = params.find("person"); it != params.end()) {
    const auto id = core::DossierId::parse(it->second);
    if (!id) badParameter("person must be a dossier id");
    request.audit().person = *id;  // the DPO's look at one person's trail is itself logged
    q.person = services.audit.person(*id);
  }
  if (auto it = params.find("partner"); it != params.end()) q.partner = it->second;
  if (auto it = params.find("purpose"); it != params.end()) {
    if (!core::parsePurpose(it->second)) badParameter("purpose is not in the list of purposes");
    q.purpose = it->second;
  }
  if (auto it = params.find("action"); it != params.end()) {
    if (!audit::parseAuditAction(it->second)) badParameter("action is not an audit action");
    q.action = it->second;
  }
  if (auto it = params.find("decision"); it != params.end()) {
    if (!audit::parseAuditDecision(it->second))
      badParameter("decision must be allow, partial, deny, invalid or error");
    q.decision = it->second;
  }
  for (const char* bound : {"from", "to"}) {
    const auto it = params.find(bound);
    if (it == params.end()) continue;
    const auto time = core::parseUtc(it->second);
    if (!time) badParameter(std::string(bound) + " must be a date or an ISO 8601 date-time");
    (std::string(bound) == "from" ? q.from : q.to) = *time;
  }
  q.after = wholeNumberParam(params, "after");
  const std::size_t max = csv ? kMaxCsvRows : kMaxPage;
  q.limit = wholeNumberParam(params, "limit").value_or(csv ? kMaxCsvRows : 100);
  if (q.limit == 0 || q.limit > max)
    badParameter("limit must be between 1 and " + std::to_string(max));
  // Recorded once each has been checked, so that no client text reaches the log: the partner
  // filter only when it names a partner of the registry.
  auto& details = request.audit().details;
  for (const auto& [name, value] : params) {
    const bool known = name != "partner" || services.registry.byId(core::PartnerId(value));
    details["filter." + name] = name == "person" ? "" : known ? value : "invalid";
  }
  return q;
}

// An entry as the DPO reads it: with its sensitive part opened (the withheld health fields,
// say), which the partner's own view of the entry leaves out.
audit::AuditEntry openedEntry(const store::AuditRow& row) {
  auto entry = audit::parseAuditEntry(*row.entry);
  audit::openSensitivePart(entry, row.sensitive);
  return entry;
}

// Catalogue paths with their French labels, for people to read.
json labelledFields(const std::vector<std::string>& paths) {
  const auto& catalogue = schemas::FieldCatalogue::builtin();
  json out = json::array();
  for (const auto& path : paths) {
    const auto* field = catalogue.find(path);
    out.push_back({{"field", path}, {"label", field ? field->label : path}});
  }
  return out;
}

json rowJson(const store::AuditRow& row) {
  json out = json{{"index", row.index}, {"time", row.time}, {"pruned", true}};
  if (row.entry) {
    const auto entry = openedEntry(row);
    out = audit::entryJson(entry);
    json sensitive = json::array();
    for (const auto& w : entry.event.withheld_sensitive)
      sensitive.push_back({{"field", w.field}, {"reason", w.reason}});
    if (!sensitive.empty()) out["withheld_sensitive_fields"] = sensitive;
    // For people (the console): the same in French.
    out["action_label"] = std::string(audit::frenchLabel(entry.event.action));
    out["decision_label"] = std::string(audit::frenchLabel(entry.event.decision));
    out["fields_disclosed"] = labelledFields(entry.event.disclosed);
    out["fields_written"] = labelledFields(entry.event.written);
  }
  out["leaf_hash"] = row.leaf_hash;
  return out;
}

// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " ") + i;
  return out;
}

std::string csvOf(const std::vector<store::AuditRow>& rows) {
  std::string out;
  connectors::CsvWriter csv([&out](std::string_view text) { out += text; },
                            {"index", "time", "partner", "credential", "purpose", "action",
                             "person", "decision", "status", "policy_version", "rules", "disclosed",
                             "written", "withheld", "request_id", "leaf_hash"});
  for (const auto& row : rows) {
    // Every value as text: the writer keeps a spreadsheet from evaluating any of them.
    nlohmann::ordered_json line = {
        {"index", std::to_string(row.index)}, {"time", row.time}, {"leaf_hash", row.leaf_hash}};
    if (row.entry) {
      const auto entry = openedEntry(row);
      const auto& e = entry.event;
      std::vector<std::string> withheld;
      for (const auto& w : e.withheld) withheld.push_back(w.field + ":" + w.reason);
      for (const auto& w : e.withheld_sensitive) withheld.push_back(w.field + ":" + w.reason);
      line["partner"] = e.partner ? e.partner->str() : "";
      line["credential"] = e.credential;
      line["purpose"] = e.purpose ? std::string(core::toString(*e.purpose)) : "";
      line["action"] = std::string(audit::toString(e.action));
      line["person"] = e.person;
      line["decision"] = std::string(audit::toString(e.decision));
      line["status"] = std::to_string(e.status);
      line["policy_version"] = e.policy_version;
      line["rules"] = joined(e.rules);
      line["disclosed"] = joined(e.disclosed);
      line["written"] = joined(e.written);
      line["withheld"] = joined(withheld);
      line["request_id"] = e.request_id.str();
    } else {
      line["decision"] = "pruned";
    }
    csv.writeRow(line);
  }
  return out;
}

ApiResponse searchEntries(AuditRouteServices& services, ApiRequest& request) {
  services.guard.require(*request.caller().partner, policies::Capability::audit_search,
                         "search the audit log");
  const bool csv = wantsCsv(request);
  const auto q = queryOf(services, request, csv);
  const auto rows = services.audit_log.store().search(q);
  request.audit().details["results"] = std::to_string(rows.size());
  ApiResponse response;
  // A full page may have a next one: the cursor is the last index returned.
  if (rows.size() == q.limit) response.headers["X-Next-After"] = std::to_string(rows.back().index);
  if (csv) {
    response.text = csvOf(rows);
    response.content_type = "text/csv; charset=utf-8";
    response.headers["Content-Disposition"] = "attachment; filename=\"journal-audit.csv\"";
    return response;
  }
  json entries = json::array();
  for (const auto& row : rows) entries.push_back(rowJson(row));
  json body = {{"entries", entries}};
  if (rows.size() == q.limit) body["next_after"] = rows.back().index;
  response.body = body;
  return response;
}

// ---- the person's report (GDPR art. 15) ----

json reportEntry(AuditRouteServices& services, const store::AuditRow& row,
                 const audit::Checkpoint& head) {
  json out = {{"index", row.index}, {"time", row.time}, {"leaf_hash", row.leaf_hash}};
  if (row.index < head.tree_size)
    out["inclusion_proof"] =
        hexList(services.audit_log.inclusionProof(row.index, head.tree_size).path);
  if (!row.entry) {
    out["pruned"] = true;
    out["summary"] = "contenu effacé à l'issue de la durée de conservation";
    return out;
  }
  const auto entry = openedEntry(row);
  const auto& e = entry.event;
  const auto* partner = e.partner ? services.registry.byId(*e.partner) : nullptr;
  json withheld = json::array();
  auto all_withheld = e.withheld;
  all_withheld.insert(all_withheld.end(), e.withheld_sensitive.begin(), e.withheld_sensitive.end());
  for (const auto& w : all_withheld) {
    const auto* field = schemas::FieldCatalogue::builtin().find(w.field);
    withheld.push_back(
        {{"field", w.field}, {"label", field ? field->label : w.field}, {"reason", w.reason}});
  }
  out["partner"] = e.partner ? e.partner->str() : "";
  out["partner_name"] =
      partner ? partner->name : (e.partner ? e.partner->str() : "non authentifié");
  out["purpose"] = e.purpose ? std::string(core::toString(*e.purpose)) : "";
  out["action"] = std::string(audit::toString(e.action));
  out["action_label"] = std::string(audit::frenchLabel(e.action));
  out["decision"] = std::string(audit::toString(e.decision));
  out["decision_label"] = std::string(audit::frenchLabel(e.decision));
  out["fields_disclosed"] = labelledFields(e.disclosed);
  out["fields_written"] = labelledFields(e.written);
  out["fields_withheld"] = withheld;
  out["policy_version"] = e.policy_version;
  out["rules"] = e.rules;  // the rules and consents that granted what was disclosed or written
  out["status"] = e.status;
  out["entry"] = *row.entry;  // the exact bytes the leaf hash covers, to check the proof
  if (row.sensitive) out["sensitive"] = *row.sensitive;  // what the entry's commitment covers
  return out;
}

ApiResponse personReport(AuditRouteServices& services, ApiRequest& request) {
  services.guard.require(*request.caller().partner, policies::Capability::audit_person_report,
                         "read a person's access report");
  const auto id = dossierIdParam(request);
  queryParams(request, {});
  // A fresh checkpoint, so that every entry so far comes with its proof.
  const auto head = services.audit_log.checkpointNow();
  store::AuditQuery q;
  q.person = services.audit.person(id);
  q.limit = kMaxPage;
  json entries = json::array();
  while (true) {
    const auto rows = services.audit_log.store().search(q);
    for (const auto& row : rows) entries.push_back(reportEntry(services, row, head));
    if (rows.size() < q.limit) break;
    q.after = rows.back().index;
  }
  request.audit().details["entries"] = std::to_string(entries.size());
  return {200,
          json{{"dossier", id.str()},
               {"person_pseudonym", *q.person},
               {"checkpoint", head.toJson()},
               {"entries", entries},
               {"verification",
                "Chaque entrée porte sa preuve d'inclusion (RFC 9162) dans le point de contrôle "
                "signé ci-dessus : feuille = SHA-256(0x00 ‖ entry), voir docs/audit.md."}},
          {}};
}

// ---- checkpoints and proofs ----

audit::Checkpoint latestHead(AuditRouteServices& services) {
  if (auto head = services.audit_log.freshestCheckpoint()) return *head;
  return services.audit_log.checkpointNow();
}

ApiResponse getCheckpoint(AuditRouteServices& services, ApiRequest& request) {
  queryParams(request, {});
  return {200, latestHead(services).toJson(), {}};
}

ApiResponse newCheckpoint(AuditRouteServices& services, ApiRequest& request) {
  queryParams(request, {});
  return {201, services.audit_log.checkpointNow().toJson(), {}};
}

ApiResponse inclusion(AuditRouteServices& services, ApiRequest& request) {
  const auto params = queryParams(request, {"index", "tree_size"});
  const auto index = wholeNumberParam(params, "index");
  if (!index) badParameter("give the index of the entry");
  const auto head = latestHead(services);
  const auto size = wholeNumberParam(params, "tree_size").value_or(head.tree_size);
  services.audit_log.catchUpTo(size);  // a size another node signed
  if (size > services.audit_log.size() || *index >= size)
    badParameter("index must be below tree_size, and tree_size at most " +
                 std::to_string(services.audit_log.size()));
  const auto proof = services.audit_log.inclusionProof(*index, size);
  request.audit().details["index"] = std::to_string(*index);
  json out = {{"index", *index},
              {"tree_size", size},
              {"leaf_hash", audit::hashHex(proof.leaf_hash)},
              {"proof", hexList(proof.path)},
              {"root_hash", audit::hashHex(services.audit_log.rootAt(size))}};
  if (head.tree_size == size) out["checkpoint"] = head.toJson();
  // The entry itself to the DPO, and to the partner it records, so that they can check it.
  if (const auto row = services.audit_log.store().row(*index); row && row->entry) {
    const auto entry = audit::parseAuditEntry(*row->entry);
    const auto& caller = *request.caller().partner;
    const bool dpo = services.guard.may(caller, policies::Capability::audit_any_entry);
    // The partner gets its entry without the sensitive part: the entry commits to that part by
    // a salted hash, so the proof still verifies and tells it nothing the answer did not.
    if (dpo || entry.event.partner == caller.id) out["entry"] = *row->entry;
    if (dpo && row->sensitive) out["sensitive"] = *row->sensitive;
  }
  return {200, out, {}};
}

ApiResponse consistency(AuditRouteServices& services, ApiRequest& request) {
  const auto params = queryParams(request, {"from", "to"});
  const auto from = wholeNumberParam(params, "from");
  if (!from) badParameter("give from, the tree size of the checkpoint you hold");
  const auto to = wholeNumberParam(params, "to").value_or(latestHead(services).tree_size);
  services.audit_log.catchUpTo(to);  // a size another node signed
  if (to > services.audit_log.size() || *from > to)
    badParameter("from must not exceed to, and to at most " +
                 std::to_string(services.audit_log.size()));
  request.audit().details["from"] = std::to_string(*from);
  request.audit().details["to"] = std::to_string(to);
  return {200,
          json{{"from", *from},
               {"to", to},
               {"from_root_hash", audit::hashHex(services.audit_log.rootAt(*from))},
               {"to_root_hash", audit::hashHex(services.audit_log.rootAt(to))},
               {"proof", hexList(services.audit_log.consistencyProof(*from, to))}},
          {}};
}

}  // namespace

void addAuditRoutes(Router& router, const dossiers::AccessGuard& guard,
                    const policies::PartnerRegistry& registry, audit::AuditLog& audit_log,
                    app::AuditRecorder& audit) {
  const auto services =
      std::make_shared<AuditRouteServices>(AuditRouteServices{guard, registry, audit_log, audit});
  auto bindTo = [services](auto fn) { return bindRoute(services, fn); };
  using audit::AuditAction;
  router.add(
      {"GET", "/v1/audit/entries", true, false, bindTo(&searchEntries), AuditAction::audit_search});
  router.add({"GET", "/v1/audit/persons/{id}/report", true, false, bindTo(&personReport),
              AuditAction::audit_person_report});
  router.add({"GET", "/v1/audit/checkpoint", true, false, bindTo(&getCheckpoint),
              AuditAction::audit_checkpoint});
  router.add({"POST", "/v1/audit/checkpoint", true, false, bindTo(&newCheckpoint),
              AuditAction::audit_checkpoint});
  router.add({"GET", "/v1/audit/proofs/inclusion", true, false, bindTo(&inclusion),
              AuditAction::audit_proof});
  router.add({"GET", "/v1/audit/proofs/consistency", true, false, bindTo(&consistency),
              AuditAction::audit_proof});
}

}  // namespace passerelle::gateway
