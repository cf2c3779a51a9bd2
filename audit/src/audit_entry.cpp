#include "passerelle/audit/audit_entry.hpp"

#include <algorithm>

namespace passerelle::audit {

using nlohmann::json;

namespace {

constexpr int kFormatVersion = 1;

std::vector<std::string> sortedUnique(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

[[noreturn]] void bad(const std::string& what) {
  throw AuditFormatError("not an audit entry: " + what);
}

const json& member(const json& j, const char* key, json::value_t type) {
  if (!j.contains(key)) bad(std::string("missing ") + key);
  const auto& v = j.at(key);
  const bool ok =
      type == json::value_t::number_unsigned ? v.is_number_unsigned() : v.type() == type;
  if (!ok) bad(std::string(key) + " has the wrong type");
  return v;
}

std::string text(const json& j, const char* key) {
  return member(j, key, json::value_t::string).get<std::string>();
}

std::vector<std::string> texts(const json& j, const char* key) {
  std::vector<std::string> out;
  for (const auto& v : member(j, key, json::value_t::array)) {
    if (!v.is_string()) bad(std::string(key) + " holds a non-string");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace

json entryJson(const AuditEntry& entry) {
  const auto& e = entry.event;
  auto withheld = e.withheld;
  std::sort(withheld.begin(), withheld.end(), [](const auto& a, const auto& b) {
    return std::tie(a.field, a.reason) < std::tie(b.field, b.reason);
  });
  json withheld_json = json::array();
  for (const auto& w : withheld)
    withheld_json.push_back({{"field", w.field}, {"reason", w.reason}});
  json details = json::object();
  for (const auto& [k, v] : e.details) details[k] = v;
  return {{"v", kFormatVersion},
          {"index", entry.index},
          {"time", e.time},
          {"partner", e.partner ? e.partner->str() : std::string()},
          {"credential", e.credential},
          {"purpose", e.purpose ? std::string(core::toString(*e.purpose)) : std::string()},
          {"action", std::string(toString(e.action))},
          {"person", e.person},
          {"disclosed", sortedUnique(e.disclosed)},
          {"written", sortedUnique(e.written)},
          {"withheld", withheld_json},
          {"decision", std::string(toString(e.decision))},
          {"policy_version", e.policy_version},
          {"rules", sortedUnique(e.rules)},
          {"request_id", e.request_id.str()},
          {"status", e.status},
          {"details", details}};
}

std::string canonicalBytes(const AuditEntry& entry) {
  // nlohmann's objects are std::maps: keys come out in byte order. strict: invalid UTF-8 throws
  // rather than being written in some other form.
  return entryJson(entry).dump(-1, ' ', false, json::error_handler_t::strict);
}

AuditEntry parseAuditEntry(std::string_view bytes) {
  json j;
  try {
    j = json::parse(bytes);
  } catch (const json::parse_error& e) {
    bad("not JSON (byte " + std::to_string(e.byte) + ")");
  }
  if (!j.is_object()) bad("not a JSON object");
  if (member(j, "v", json::value_t::number_unsigned).get<int>() != kFormatVersion)
    bad("unknown format version");
  AuditEntry entry;
  entry.index = member(j, "index", json::value_t::number_unsigned).get<std::uint64_t>();
  auto& e = entry.event;
  e.time = text(j, "time");
  if (auto p = text(j, "partner"); !p.empty()) e.partner = core::PartnerId(p);
  e.credential = text(j, "credential");
  if (auto p = text(j, "purpose"); !p.empty()) {
    e.purpose = core::parsePurpose(p);
    if (!e.purpose) bad("unknown purpose");
  }
  const auto action = parseAuditAction(text(j, "action"));
  if (!action) bad("unknown action");
  e.action = *action;
  e.person = text(j, "person");
  e.disclosed = texts(j, "disclosed");
  e.written = texts(j, "written");
  for (const auto& w : member(j, "withheld", json::value_t::array)) {
    if (!w.is_object()) bad("withheld holds a non-object");
    e.withheld.push_back({text(w, "field"), text(w, "reason")});
  }
  const auto decision = parseAuditDecision(text(j, "decision"));
  if (!decision) bad("unknown decision");
  e.decision = *decision;
  e.policy_version = text(j, "policy_version");
  e.rules = texts(j, "rules");
  e.request_id = core::RequestId(text(j, "request_id"));
  e.status = member(j, "status", json::value_t::number_unsigned).get<int>();
  for (const auto& [k, v] : member(j, "details", json::value_t::object).items()) {
    if (!v.is_string()) bad("details holds a non-string");
    e.details[k] = v.get<std::string>();
  }
  if (j.size() != entryJson(entry).size()) bad("unexpected keys");
  if (canonicalBytes(entry) != bytes) bad("not in canonical form");
  return entry;
}

}  // namespace passerelle::audit
