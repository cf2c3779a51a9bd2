#include "passerelle/policies/partner_registry.hpp"

#include <Poco/String.h>

#include <algorithm>
#include <fstream>
#include <regex>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::policies {

namespace {

const std::regex kPartnerId("^[a-z0-9][a-z0-9-]{1,63}$");
const std::regex kSha256Hex("^[0-9a-f]{64}$");
const std::regex kSiret("^[0-9]{14}$");

std::vector<std::string> hexList(const nlohmann::json& entry, const char* key,
                                 const std::string& where) {
  std::vector<std::string> out;
  for (const auto& item : entry.value(key, nlohmann::json::array())) {
    auto hex = Poco::toLower(item.get<std::string>());
    if (!std::regex_match(hex, kSha256Hex))
      throw core::DomainError(core::ErrorKind::configuration,
                              where + ": " + key + " must hold 64-digit SHA-256 hex values");
    out.push_back(hex);
  }
  return out;
}

const std::regex kStudyId("^[a-z0-9][a-z0-9-]{1,63}$");
const std::regex kDate("^[0-9]{4}-[0-9]{2}-[0-9]{2}$");

std::optional<Webhook> webhookOf(const nlohmann::json& entry, const std::string& where) {
  if (!entry.contains("webhook")) return std::nullopt;
  const auto& w = entry["webhook"];
  if (!w.is_object() || !w.contains("url") || !w["url"].is_string() || !w.contains("secret") ||
      !w["secret"].is_string())
    throw core::DomainError(
        core::ErrorKind::configuration,
        where + ": webhook must be {\"url\": ..., \"secret\": ..., \"purpose\": ...}");
  const auto purpose = w.contains("purpose") && w["purpose"].is_string()
                           ? core::parsePurpose(w["purpose"].get<std::string>())
                           : std::nullopt;
  if (!purpose)
    throw core::DomainError(core::ErrorKind::configuration,
                            where +
                                ": webhook purpose must be one of the purposes (the one the "
                                "partner follows changes for)");
  Webhook webhook{w["url"].get<std::string>(), w["secret"].get<std::string>(), *purpose};
  static const std::regex url(
      "^(https://[^/\\s]+|http://(127\\.0\\.0\\.1|localhost|\\[::1\\])(:[0-9]+)?)(/\\S*)?$");
  if (!std::regex_match(webhook.url, url))
    throw core::DomainError(core::ErrorKind::configuration,
                            where + ": webhook url must be https:// (http:// only to 127.0.0.1)");
  if (webhook.secret.size() < 32)
    throw core::DomainError(core::ErrorKind::configuration,
                            where + ": webhook secret must be at least 32 characters");
  return webhook;
}

std::vector<Study> studiesOf(const nlohmann::json& entry, const Partner& partner,
                             const std::string& where) {
  std::vector<Study> out;
  if (!entry.contains("studies")) return out;
  if (partner.kind != PartnerKind::evaluateur)
    throw core::DomainError(core::ErrorKind::configuration,
                            where + " (" + partner.id.str() + "): only an evaluateur has studies");
  if (!entry["studies"].is_array())
    throw core::DomainError(core::ErrorKind::configuration,
                            where + " (" + partner.id.str() + "): studies must be an array");
  for (const auto& s : entry["studies"]) {
    const std::string at = where + " (" + partner.id.str() + "), study " +
                           (s.is_object() ? s.value("id", "?") : std::string("?"));
    try {
      Study study{s.at("id").get<std::string>(),
                  Poco::toLower(s.at("public_key").get<std::string>()),
                  s.at("profiles").get<std::vector<std::string>>(),
                  s.at("valid_from").get<std::string>(), s.at("valid_until").get<std::string>()};
      if (!std::regex_match(study.id, kStudyId))
        throw core::DomainError(core::ErrorKind::configuration,
                                at + ": id must match [a-z0-9][a-z0-9-]{1,63}");
      if (!std::regex_match(study.public_key, kSha256Hex))
        throw core::DomainError(core::ErrorKind::configuration,
                                at + ": public_key must be an X25519 key in 64 hex digits");
      if (!std::regex_match(study.valid_from, kDate) ||
          !std::regex_match(study.valid_until, kDate) || study.valid_until < study.valid_from)
        throw core::DomainError(core::ErrorKind::configuration,
                                at + ": valid_from and valid_until must be dates, in order");
      if (study.profiles.empty())
        throw core::DomainError(core::ErrorKind::configuration,
                                at + ": profiles must not be empty");
      out.push_back(std::move(study));
    } catch (const nlohmann::json::exception&) {
      throw core::DomainError(
          core::ErrorKind::configuration,
          at + ": id, public_key, profiles, valid_from and valid_until are required");
    }
  }
  return out;
}

}  // namespace

bool Study::allows(const std::string& profile) const {
  return std::find(profiles.begin(), profiles.end(), profile) != profiles.end();
}

const Study* Partner::study(const std::string& id) const {
  for (const auto& s : studies)
    if (s.id == id) return &s;
  return nullptr;
}

PartnerRegistry PartnerRegistry::parse(const nlohmann::json& document, const std::string& source) {
  if (!document.is_object() || !document.contains("partners") || !document["partners"].is_array())
    throw core::DomainError(core::ErrorKind::configuration,
                            source + ": expected an object with a \"partners\" array");
  PartnerRegistry registry;
  std::size_t index = 0;
  for (const auto& entry : document["partners"]) {
    const std::string where = source + ": partner #" + std::to_string(index);
    try {
      Partner p{core::PartnerId(entry.at("id").get<std::string>()),
                entry.at("name").get<std::string>(),
                PartnerKind::departement,
                entry.value("siret", ""),
                hexList(entry, "certificate_sha256", where),
                hexList(entry, "token_sha256", where),
                entry.value("dpa_reference", ""),
                {},
                webhookOf(entry, where)};
      if (!std::regex_match(p.id.str(), kPartnerId))
        throw core::DomainError(core::ErrorKind::configuration,
                                where + ": id must match [a-z0-9][a-z0-9-]{1,63}");
      const auto kind = core::parsePartnerKind(entry.at("kind").get<std::string>());
      if (!kind)
        throw core::DomainError(core::ErrorKind::configuration,
                                where + " (" + p.id.str() + "): unknown kind");
      p.kind = *kind;
      p.studies = studiesOf(entry, p, where);
      if (!p.siret.empty() && !std::regex_match(p.siret, kSiret))
        throw core::DomainError(core::ErrorKind::configuration,
                                where + " (" + p.id.str() + "): siret must be 14 digits");
      if (!registry.by_id_.emplace(p.id.str(), index).second)
        throw core::DomainError(core::ErrorKind::configuration,
                                where + ": id " + p.id.str() + " is declared twice");
      for (const auto& fp : p.certificate_sha256)
        if (!registry.by_certificate_.emplace(fp, index).second)
          throw core::DomainError(core::ErrorKind::configuration,
                                  where + " (" + p.id.str() +
                                      "): a certificate fingerprint is already another partner's");
      for (const auto& th : p.token_sha256)
        if (!registry.by_token_.emplace(th, index).second)
          throw core::DomainError(
              core::ErrorKind::configuration,
              where + " (" + p.id.str() + "): a token hash is already another partner's");
      registry.partners_.push_back(std::move(p));
    } catch (const nlohmann::json::exception&) {
      throw core::DomainError(core::ErrorKind::configuration,
                              where + ": id, name and kind are required strings");
    }
    ++index;
  }
  return registry;
}

PartnerRegistry PartnerRegistry::loadFile(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in)
    throw core::DomainError(core::ErrorKind::configuration,
                            "partner registry " + path.string() + " cannot be read");
  try {
    return parse(nlohmann::json::parse(in), path.string());
  } catch (const nlohmann::json::parse_error& e) {
    throw core::DomainError(core::ErrorKind::configuration, "partner registry " + path.string() +
                                                                " is not valid JSON (byte " +
                                                                std::to_string(e.byte) + ")");
  } catch (const nlohmann::json::out_of_range&) {
    throw core::DomainError(
        core::ErrorKind::configuration,
        "partner registry " + path.string() + " is not valid JSON (a number out of range)");
  }
}

const Partner* PartnerRegistry::byCertificate(const std::string& sha256_hex) const {
  auto it = by_certificate_.find(Poco::toLower(sha256_hex));
  return it == by_certificate_.end() ? nullptr : &partners_[it->second];
}

const Partner* PartnerRegistry::byTokenHash(const std::string& sha256_hex) const {
  auto it = by_token_.find(Poco::toLower(sha256_hex));
  return it == by_token_.end() ? nullptr : &partners_[it->second];
}

const Partner* PartnerRegistry::byId(const core::PartnerId& id) const {
  auto it = by_id_.find(id.str());
  return it == by_id_.end() ? nullptr : &partners_[it->second];
}

nlohmann::json PartnerRegistry::toJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& p : partners_) {
    nlohmann::json entry = {{"id", p.id.str()},
                            {"name", p.name},
                            {"kind", std::string(core::toString(p.kind))},
                            {"siret", p.siret},
                            {"certificate_sha256", p.certificate_sha256},
                            {"token_sha256", p.token_sha256},
                            {"dpa_reference", p.dpa_reference}};
    for (const auto& st : p.studies)
      entry["studies"].push_back({{"id", st.id},
                                  {"public_key", st.public_key},
                                  {"profiles", st.profiles},
                                  {"valid_from", st.valid_from},
                                  {"valid_until", st.valid_until}});
    if (p.webhook)
      entry["webhook"] = {{"url", p.webhook->url},
                          {"secret", p.webhook->secret},
                          {"purpose", std::string(core::toString(p.webhook->purpose))}};
    list.push_back(std::move(entry));
  }
  return {{"partners", list}};
}

}  // namespace passerelle::policies
