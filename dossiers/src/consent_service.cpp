#include "passerelle/dossiers/consent_service.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <regex>

#include "body_reader.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/policies/consent_basis.hpp"
#include "random_id.hpp"

namespace passerelle::dossiers {

using core::ConsentRecord;
using core::DomainError;
using core::ErrorKind;
using nlohmann::json;

namespace {

std::string statusOf(const ConsentRecord& r, const std::vector<ConsentRecord>& all,
                     const core::UtcTime& now) {
  if (r.kind == ConsentRecord::Kind::withdrawn) return "withdrawal";
  if (r.kind == ConsentRecord::Kind::reaffirmed) return "reaffirmation";
  const bool withdrawn = std::any_of(all.begin(), all.end(), [&](const ConsentRecord& w) {
    return w.kind == ConsentRecord::Kind::withdrawn && w.withdraws == r.id;
  });
  if (withdrawn) return "withdrawn";
  if (now < r.given_at) return "not_yet_valid";
  const auto expiry = core::effectiveExpiry(r, all, now);
  if (expiry && *expiry <= now) return "expired";
  return "in_force";
}

json recordJson(const ConsentRecord& r) {
  json grantee = json::object();
  if (r.grantee_partner) grantee["partner"] = r.grantee_partner->str();
  if (r.grantee_kind) grantee["kind"] = std::string(core::toString(*r.grantee_kind));
  json sections = json::array(), categories = json::array();
  for (auto s : r.sections) sections.push_back(std::string(core::toString(s)));
  for (auto c : r.categories) categories.push_back(std::string(core::toString(c)));
  json out = {{"schema", "passerelle/consent-record/1"},
              {"id", r.id},
              {"dossier", r.dossier.str()},
              {"kind", std::string(core::toString(r.kind))},
              {"grantee", grantee},
              {"purpose", std::string(core::toString(r.purpose))},
              {"sections", sections},
              {"categories", categories},
              {"given_at", r.given_at},
              {"method", std::string(core::toString(r.method))},
              {"collected_by", r.collected_by},
              {"notice_version", r.notice_version},
              {"notice_language", r.notice_language},
              {"recorded_at", r.recorded_at},
              {"recorded_by", r.recorded_by.str()}};
  if (r.withdraws)
    out[r.kind == ConsentRecord::Kind::reaffirmed ? "reaffirms" : "withdraws"] = *r.withdraws;
  if (r.expires_at) out["expires_at"] = *r.expires_at;
  if (r.controller)
    out["controller"] = {{"name", r.controller->name}, {"contact", r.controller->contact}};
  return out;
}

}  // namespace

json consentJson(const ConsentRecord& record, const std::vector<ConsentRecord>& all,
                 const core::UtcTime& now) {
  auto out = recordJson(record);
  out["status"] = statusOf(record, all, now);
  return out;
}

json ConsentService::receiptFor(const ConsentRecord& record) const {
  const json body = {{"type", "consent_" + std::string(core::toString(record.kind))},
                     {"record", recordJson(record)},
                     {"issued_at", core::nowUtc()},
                     {"policy_version", guard_.policy()->version()}};
  return {{"receipt", body},
          {"signature",
           {{"algorithm", "Ed25519"},
            {"public_key", signer_.publicKeyHex()},
            {"value", signer_.signHex(body.dump())}}}};
}

ReceiptCheck verifyReceipt(const json& receipt,
                           const std::optional<std::string>& expected_public_key) {
  ReceiptCheck check;
  if (!receipt.is_object() || !receipt.contains("receipt") || !receipt.contains("signature") ||
      !receipt["signature"].is_object()) {
    check.problem = "not a consent receipt (expected \"receipt\" and \"signature\")";
    return check;
  }
  const auto& sig = receipt["signature"];
  // Each field's type checked before it is read: a receipt is anyone's JSON.
  const auto text = [&](const char* key) { return sig.contains(key) && sig[key].is_string(); };
  if (!text("algorithm") || sig["algorithm"] != "Ed25519" || !text("public_key") ||
      !text("value")) {
    check.problem = "the signature block must hold algorithm Ed25519, public_key and value";
    return check;
  }
  check.public_key = sig["public_key"].get<std::string>();
  if (expected_public_key &&
      Poco::toLower(*expected_public_key) != Poco::toLower(check.public_key)) {
    check.problem = "signed by another key than the gateway's";
    return check;
  }
  if (!crypto::verifySignature(receipt["receipt"].dump(), sig["value"].get<std::string>(),
                               check.public_key)) {
    check.problem = "the signature does not match the receipt: it was altered or forged";
    return check;
  }
  check.valid = true;
  return check;
}

void ConsentService::requireVisible(const Caller& caller, const core::DossierId& id,
                                    const core::UtcTime& now) const {
  if (!dossiers_.exists(id)) throw DomainError(ErrorKind::not_found, "no such dossier");
  guard_.requireVisible(caller, id, now);
}

RecordedConsent ConsentService::record(const Caller& caller, const core::DossierId& id,
                                       const json& body) {
  const auto now = core::nowUtc();
  const auto policy = guard_.policy();
  // Before the dossier is looked at, so that a partner that may not record learns nothing.
  const auto scope = policy->consentRecording(caller.partner.kind);
  if (!scope)
    throw DomainError(ErrorKind::forbidden, "the sharing policy lets partners of kind " +
                                                std::string(core::toString(caller.partner.kind)) +
                                                " record no consent");
  requireVisible(caller, id, now);
  BodyReader in(body);
  in.onlyKeys({"grantee", "purpose", "sections", "categories", "given_at", "method", "collected_by",
               "notice_version", "notice_language", "expires_at"});
  std::optional<core::PartnerId> grantee_partner;
  std::optional<core::PartnerKind> grantee_kind;
  std::optional<core::PartnerKind> kind_of_grantee;  // the kind whose rules the consent serves
  const json grantee = body.is_object() ? body.value("grantee", json()) : json();
  if (!grantee.is_object() || grantee.size() != 1 ||
      !(grantee.contains("partner") || grantee.contains("kind")) || !grantee.begin()->is_string()) {
    in.error("/grantee", "required", "one of {\"partner\": id} or {\"kind\": partner kind}");
  } else if (grantee.contains("partner")) {
    grantee_partner = core::PartnerId(grantee["partner"].get<std::string>());
    if (const auto* p = registry_.byId(*grantee_partner))
      kind_of_grantee = p->kind;
    else
      in.error("/grantee/partner", "partner", "no partner with this id in the registry");
  } else {
    grantee_kind = core::parsePartnerKind(grantee["kind"].get<std::string>());
    kind_of_grantee = grantee_kind;
    if (!grantee_kind) in.error("/grantee/kind", "enum", "not a partner kind");
  }
  const auto purpose_name = in.text("purpose", true, 40);
  const auto purpose = purpose_name ? core::parsePurpose(*purpose_name) : std::nullopt;
  if (purpose_name && !purpose) in.error("/purpose", "enum", "not a purpose of the closed list");
  std::vector<core::Section> sections;
  std::size_t i = 0;
  for (const auto& name : in.texts("sections")) {
    if (auto s = core::parseSection(name))
      sections.push_back(*s);
    else
      in.error("/sections/" + std::to_string(i), "enum", "not a section");
    ++i;
  }
  std::vector<core::FieldCategory> categories;
  i = 0;
  for (const auto& name : in.texts("categories")) {
    if (auto c = core::parseFieldCategory(name))
      categories.push_back(*c);
    else
      in.error("/categories/" + std::to_string(i), "enum", "not a field category");
    ++i;
  }
  if (sections.empty() && categories.empty())
    in.error("/sections", "required", "a consent covers at least one section or category");
  const auto given_at = in.time("given_at", true);
  if (given_at && *given_at > now)
    in.error("/given_at", "maximum", "a consent cannot be given in the future");
  const auto method_name = in.text("method", true, 20);
  const auto method = method_name ? core::parseConsentMethod(*method_name) : std::nullopt;
  if (method_name && !method) in.error("/method", "enum", "one of ecrit, oral, numerique");
  const auto collected_by = in.text("collected_by", true, 200);
  const auto notice = in.text("notice_version", true, 100);
  const auto language = in.text("notice_language", false, 35);
  static const std::regex bcp47("^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$");
  if (language && !std::regex_match(*language, bcp47))
    in.error("/notice_language", "format", "a BCP 47 language tag such as fr or fr-FR");
  const auto expires_at = in.time("expires_at", false);
  if (expires_at && given_at && *expires_at <= *given_at)
    in.error("/expires_at", "minimum", "must come after given_at");
  in.finish("the consent");

  if (*scope == policies::ConsentGrantees::self && grantee_partner != caller.partner.id)
    throw DomainError(ErrorKind::forbidden,
                      "partners of kind " + std::string(core::toString(caller.partner.kind)) +
                          " record only consents granted to themselves",
                      {{"/grantee", "consent_recorders", "must be {\"partner\": <your own id>}"}});
  // in.finish() threw unless every required value parsed.
  const core::Purpose consent_purpose = purpose.value();
  requireReliedOn(kind_of_grantee.value(), consent_purpose, sections, categories);

  ConsentRecord r{randomId('c'),
                  id,
                  ConsentRecord::Kind::given,
                  std::nullopt,
                  grantee_partner,
                  grantee_kind,
                  consent_purpose,
                  sections,
                  categories,
                  *given_at,
                  *method,
                  *collected_by,
                  *notice,
                  expires_at,
                  now,
                  caller.partner.id};
  if (language) r.notice_language = *language;
  r.controller = controller_;
  consents_.addConsent(r);
  return {r, receiptFor(r)};
}

void ConsentService::requireReliedOn(core::PartnerKind grantee, core::Purpose purpose,
                                     const std::vector<core::Section>& sections,
                                     const std::vector<core::FieldCategory>& categories) const {
  const auto dead = policies::deadConsentParts(*guard_.policy(), guard_.catalogue(), grantee,
                                               purpose, sections, categories);
  if (dead.none()) return;
  std::vector<core::FieldError> errors;
  if (dead.purpose)
    errors.push_back({"/purpose", "consent_basis",
                      "no rule of the sharing policy relies on a consent of this grantee for this "
                      "purpose"});
  for (auto i : dead.sections)
    errors.push_back({"/sections/" + std::to_string(i), "consent_basis",
                      "no rule of the sharing policy relies on a consent for this section"});
  for (auto i : dead.categories)
    errors.push_back({"/categories/" + std::to_string(i), "consent_basis",
                      "no rule of the sharing policy relies on a consent for this category"});
  throw DomainError(ErrorKind::validation_failed,
                    "the consent would cover what no rule of the sharing policy can rely on",
                    std::move(errors));
}

std::vector<ConsentRecord> ConsentService::list(const Caller& caller,
                                                const core::DossierId& id) const {
  guard_.require(caller.partner, policies::Capability::consents_read, "list consents");
  requireVisible(caller, id, core::nowUtc());
  return consents_.consents(id);
}

RecordedConsent ConsentService::withdraw(const Caller& caller, const std::string& consent_id,
                                         const json& body) {
  return followUp(caller, consent_id, body, ConsentRecord::Kind::withdrawn);
}

RecordedConsent ConsentService::reaffirm(const Caller& caller, const std::string& consent_id,
                                         const json& body) {
  return followUp(caller, consent_id, body, ConsentRecord::Kind::reaffirmed);
}

RecordedConsent ConsentService::followUp(const Caller& caller, const std::string& consent_id,
                                         const json& body, ConsentRecord::Kind kind) {
  const bool withdrawal = kind == ConsentRecord::Kind::withdrawn;
  const auto now = core::nowUtc();
  const auto original = consents_.consent(consent_id);
  // A consent on a dossier the caller may not see answers as one that does not exist.
  const auto missing = [] { return DomainError(ErrorKind::not_found, "no such consent"); };
  if (!original || original->kind != ConsentRecord::Kind::given) throw missing();
  if (!dossiers_.exists(original->dossier)) throw missing();
  const auto policy = guard_.policy();
  if (policy->requiresRelationship(caller.partner.kind) &&
      !guard_.related(caller, original->dossier, now))
    throw missing();
  // GDPR art. 7(3): withdrawn as it was given, through whoever collected it; renewed by whoever
  // collected it, or by a kind that records any consent.
  const bool own = original->recorded_by == caller.partner.id;
  if (withdrawal && !own && !policy->withdrawsAnyConsent(caller.partner.kind))
    throw DomainError(ErrorKind::forbidden,
                      "a consent is withdrawn by the partner that recorded it, or by a partner "
                      "whose kind the sharing policy lets withdraw any consent");
  if (!withdrawal && !own &&
      policy->consentRecording(caller.partner.kind) != policies::ConsentGrantees::any)
    throw DomainError(ErrorKind::forbidden,
                      "a consent is re-affirmed by the partner that recorded it, or by a partner "
                      "whose kind the sharing policy lets record any consent");
  const auto all = consents_.consents(original->dossier);
  if (statusOf(*original, all, now) == "withdrawn")
    throw DomainError(ErrorKind::conflict, "this consent is withdrawn");
  const std::string at_key = withdrawal ? "withdrawn_at" : "reaffirmed_at";
  BodyReader in(body);
  if (withdrawal)
    in.onlyKeys({"method", "collected_by", "withdrawn_at"});
  else
    in.onlyKeys({"method", "collected_by", "reaffirmed_at", "expires_at"});
  const auto method_name = in.text("method", true, 20);
  const auto method = method_name ? core::parseConsentMethod(*method_name) : std::nullopt;
  if (method_name && !method) in.error("/method", "enum", "one of ecrit, oral, numerique");
  const auto collected_by = in.text("collected_by", true, 200);
  const auto at = in.time(at_key, false);
  if (at && *at > now) in.error("/" + at_key, "maximum", "cannot be in the future");
  const auto expires_at = withdrawal ? std::nullopt : in.time("expires_at", false);
  if (expires_at && *expires_at <= at.value_or(now))
    in.error("/expires_at", "minimum", "must come after the re-affirmation");
  in.finish(withdrawal ? "the withdrawal" : "the re-affirmation");

  ConsentRecord w = *original;
  w.id = randomId('c');
  w.kind = kind;
  w.withdraws = original->id;
  w.given_at = at.value_or(now);
  w.method = *method;
  w.collected_by = *collected_by;
  w.expires_at = expires_at;
  w.recorded_at = now;
  w.recorded_by = caller.partner.id;
  if (controller_) w.controller = controller_;  // else the one the consent was given to
  consents_.addConsent(w);
  return {w, receiptFor(w)};
}

}  // namespace passerelle::dossiers
