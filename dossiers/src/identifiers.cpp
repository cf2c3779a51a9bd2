#include "passerelle/dossiers/identifiers.hpp"

#include <Poco/String.h>

#include <regex>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/schemas/nir.hpp"

namespace passerelle::dossiers {

using core::Identifier;
using core::IdentifierKind;

namespace {

std::string trimmedUpper(std::string_view raw) {
  return Poco::toUpper(Poco::trim(std::string(raw)));
}

// Partners disagree on zero-padding matricules ("0123456" vs "123456"): match on the number.
std::string cafKey(std::string_view organisme, std::string_view numero,
                   std::string_view matricule) {
  std::string m = trimmedUpper(matricule);
  const auto first = m.find_first_not_of('0');
  m = first == std::string::npos ? "0" : m.substr(first);
  return trimmedUpper(organisme) + ":" + trimmedUpper(numero) + ":" + m;
}

core::DomainError malformed(IdentifierKind kind, const std::string& expected) {
  return core::DomainError(
      core::ErrorKind::invalid_input,
      "malformed " + std::string(core::toString(kind)) + " identifier: expected " + expected);
}

}  // namespace

std::vector<IdentifierKind> identifierKindsOf(core::Section section) {
  switch (section) {
    case core::Section::identite:
      return {IdentifierKind::nir};
    case core::Section::identifiants:
      return {IdentifierKind::caf, IdentifierKind::france_travail, IdentifierKind::departement};
    default:
      return {};
  }
}

IdentifierField fieldOf(IdentifierKind kind) {
  switch (kind) {
    case IdentifierKind::nir:
      return {core::Section::identite, "nir"};
    case IdentifierKind::caf:
      return {core::Section::identifiants, "caf"};
    case IdentifierKind::france_travail:
      return {core::Section::identifiants, "france_travail"};
    case IdentifierKind::departement:
      return {core::Section::identifiants, "departement"};
  }
  throw std::logic_error("unknown identifier kind");
}

std::string IdentifierField::pointer() const {
  return core::pointerOf(section) + "/" + key;
}

std::vector<Identifier> identifiersOf(core::Section section, const nlohmann::json& content) {
  std::vector<Identifier> out;
  if (section == core::Section::identite && content.contains("nir")) {
    auto check = schemas::checkNir(content["nir"].get<std::string>());
    if (check.valid) out.push_back({IdentifierKind::nir, check.normalised});
  }
  if (section == core::Section::identifiants) {
    const auto text = [](const nlohmann::json& object, const char* key) {
      return object.is_object() && object.contains(key) && object[key].is_string();
    };
    // An incomplete caf object (an import's record lacking a part) designates no one.
    if (content.contains("caf") && text(content["caf"], "organisme") &&
        text(content["caf"], "numero_organisme") && text(content["caf"], "matricule")) {
      const auto& caf = content["caf"];
      out.push_back({IdentifierKind::caf, cafKey(caf["organisme"].get<std::string>(),
                                                 caf["numero_organisme"].get<std::string>(),
                                                 caf["matricule"].get<std::string>())});
    }
    if (content.contains("france_travail"))
      out.push_back({IdentifierKind::france_travail,
                     trimmedUpper(content["france_travail"].get<std::string>())});
    if (content.contains("departement"))
      out.push_back(
          {IdentifierKind::departement, Poco::trim(content["departement"].get<std::string>())});
  }
  return out;
}

Identifier parseQueryIdentifier(IdentifierKind kind, std::string_view raw) {
  switch (kind) {
    case IdentifierKind::nir: {
      auto check = schemas::checkNir(raw);
      if (!check.valid) throw malformed(kind, check.problem);
      return {kind, check.normalised};
    }
    case IdentifierKind::caf: {
      static const std::regex shape("^(CAF|MSA):([0-9]{3}):([0-9A-Z]{1,15})$", std::regex::icase);
      std::match_results<std::string_view::const_iterator> m;
      if (!std::regex_match(raw.begin(), raw.end(), m, shape))
        throw malformed(kind, "ORGANISME:NUMERO:MATRICULE, e.g. CAF:931:0123456");
      return {kind, cafKey(m[1].str(), m[2].str(), m[3].str())};
    }
    case IdentifierKind::france_travail:
    case IdentifierKind::departement: {
      static const std::regex shape("^[0-9A-Za-z_-]{1,40}$");
      const std::string value = Poco::trim(std::string(raw));
      if (!std::regex_match(value, shape)) throw malformed(kind, "1 to 40 letters or digits");
      return {kind, kind == IdentifierKind::france_travail ? Poco::toUpper(value) : value};
    }
  }
  throw std::logic_error("unknown identifier kind");
}

std::optional<store::IdentifierUpdate> reindexOf(core::Section section,
                                                 const nlohmann::json& content) {
  auto kinds = identifierKindsOf(section);
  if (kinds.empty()) return std::nullopt;
  return store::IdentifierUpdate{std::move(kinds), identifiersOf(section, content)};
}

}  // namespace passerelle::dossiers
