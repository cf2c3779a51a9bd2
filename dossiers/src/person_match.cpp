#include "passerelle/dossiers/person_match.hpp"

#include <Poco/TextIterator.h>
#include <Poco/UTF8Encoding.h>

namespace passerelle::dossiers {

namespace {

// U+00C0 to U+00FF, folded; '\0' drops the character (×, ÷).
constexpr char kLatin1[] =
    "AAAAAAACEEEEIIII"
    "DNOOOOO\0OUUUUYTS"
    "AAAAAAACEEEEIIII"
    "DNOOOOO\0OUUUUYTY";

void appendFolded(int c, std::string& out) {
  if (c >= 'a' && c <= 'z') {
    out += static_cast<char>(c - 'a' + 'A');
  } else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    out += static_cast<char>(c);
  } else if (c == 0xC6 || c == 0xE6) {
    out += "AE";
  } else if (c == 0x152 || c == 0x153) {
    out += "OE";
  } else if (c == 0xDF) {
    out += "SS";
  } else if (c >= 0xC0 && c <= 0xFF) {
    if (const char f = kLatin1[c - 0xC0]; f != '\0') out += f;
  }
}

std::string folded(const nlohmann::json& document, const char* key) {
  const auto it = document.find(key);
  return it != document.end() && it->is_string() ? foldName(it->get<std::string>()) : "";
}

std::string firstGivenName(const nlohmann::json& identite) {
  const auto it = identite.find("prenoms");
  if (it == identite.end() || !it->is_array() || it->empty() || !(*it)[0].is_string()) return "";
  return foldName((*it)[0].get<std::string>());
}

}  // namespace

std::string foldName(std::string_view utf8) {
  Poco::UTF8Encoding encoding;
  const std::string text(utf8);
  std::string out;
  for (Poco::TextIterator it(text, encoding), end(text); it != end; ++it) appendFolded(*it, out);
  return out;
}

bool samePerson(const nlohmann::json& a, const nlohmann::json& b) {
  if (!a.is_object() || !b.is_object()) return false;
  const auto birth = a.value("date_naissance", std::string());
  if (birth.empty() || birth != b.value("date_naissance", std::string())) return false;
  const auto given = firstGivenName(a);
  if (given.empty() || given != firstGivenName(b)) return false;
  const auto a_birth = folded(a, "nom_naissance"), a_usage = folded(a, "nom_usage");
  const auto b_birth = folded(b, "nom_naissance"), b_usage = folded(b, "nom_usage");
  for (const auto& x : {a_birth, a_usage})
    if (!x.empty() && (x == b_birth || x == b_usage)) return true;
  return false;
}

}  // namespace passerelle::dossiers
