#include "passerelle/audit/audit_entry.hpp"

#include <algorithm>

#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/digest.hpp"

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

namespace {

json notesJson(std::vector<WithheldNote> notes) {
  std::sort(notes.begin(), notes.end(), [](const auto& a, const auto& b) {
    return std::tie(a.field, a.reason) < std::tie(b.field, b.reason);
  });
  json out = json::array();
  for (const auto& w : notes) out.push_back({{"field", w.field}, {"reason", w.reason}});
  return out;
}

std::vector<WithheldNote> notesOf(const json& list) {
  std::vector<WithheldNote> out;
  for (const auto& w : list) {
    if (!w.is_object()) bad("withheld holds a non-object");
    out.push_back({text(w, "field"), text(w, "reason")});
  }
  return out;
}

}  // namespace

json entryJson(const AuditEntry& entry) {
  const auto& e = entry.event;
  json withheld_json = notesJson(e.withheld);
  json details = json::object();
  for (const auto& [k, v] : e.details) details[k] = v;
  json out = {{"v", kFormatVersion},
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
  // Present only when there is a sensitive part, so that entries without one keep the form
  // they had before it existed.
  if (!e.sensitive_commitment.empty()) out["withheld_sensitive"] = e.sensitive_commitment;
  return out;
}

std::optional<std::string> sealSensitivePart(AuditEntry& entry) {
  auto& e = entry.event;
  if (e.withheld_sensitive.empty()) return std::nullopt;
  const json part = {{"salt", crypto::toHex(crypto::randomBytes(16))},
                     {"withheld", notesJson(e.withheld_sensitive)}};
  auto bytes = part.dump(-1, ' ', false, json::error_handler_t::strict);
  e.sensitive_commitment = crypto::sha256Hex(bytes);
  return bytes;
}

void openSensitivePart(AuditEntry& entry, const std::optional<std::string>& sensitive) {
  auto& e = entry.event;
  if (e.sensitive_commitment.empty()) {
    if (sensitive) bad("a sensitive part beside an entry that commits to none");
    return;
  }
  if (!sensitive) bad("the sensitive part the entry commits to is missing");
  if (crypto::sha256Hex(*sensitive) != e.sensitive_commitment)
    bad("the sensitive part does not match the entry's commitment");
  json j;
  try {
    j = json::parse(*sensitive);
  } catch (const json::exception&) {  // a syntax error, or a number out of range
    bad("the sensitive part is not JSON");
  }
  if (!j.is_object()) bad("the sensitive part is not an object");
  e.withheld_sensitive = notesOf(member(j, "withheld", json::value_t::array));
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
  } catch (const json::out_of_range&) {
    bad("not JSON (a number out of range)");
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
  e.withheld = notesOf(member(j, "withheld", json::value_t::array));
  if (j.contains("withheld_sensitive")) {
    e.sensitive_commitment = text(j, "withheld_sensitive");
    if (e.sensitive_commitment.empty()) bad("withheld_sensitive is empty");
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
