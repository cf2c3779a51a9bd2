#include "passerelle/policies/generalisation.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <utility>

namespace passerelle::policies {

namespace {

constexpr std::array<std::pair<Generalisation, std::string_view>, 12> kNames = {{
    {Generalisation::keep, "keep"},
    {Generalisation::month, "mois"},
    {Generalisation::quarter, "trimestre"},
    {Generalisation::year, "annee"},
    {Generalisation::birth_year, "annee_naissance"},
    {Generalisation::age_band_5, "tranche_age_5"},
    {Generalisation::age_band_10, "tranche_age_10"},
    {Generalisation::age_band_spie, "tranche_age_spie"},
    {Generalisation::departement, "departement"},
    {Generalisation::cap_3, "plafond_3"},
    {Generalisation::diploma_group, "groupe_diplome"},
    {Generalisation::mask, "masque"},
}};

// YYYY-MM-DD (a date-time's date part too) -> year, month, day; nothing if it is not one.
std::optional<std::array<int, 3>> dateParts(const nlohmann::json& value) {
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::array<int, 3> parts{};
  const std::array<std::pair<std::size_t, std::size_t>, 3> spans = {{{0, 4}, {5, 2}, {8, 2}}};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto* first = text.data() + spans[i].first;
    const auto* last = first + spans[i].second;
    if (std::from_chars(first, last, parts[i]).ptr != last) return std::nullopt;
  }
  if (parts[1] < 1 || parts[1] > 12 || parts[2] < 1 || parts[2] > 31) return std::nullopt;
  return parts;
}

std::string twoDigits(int n) {
  std::string text = std::to_string(n);
  if (n < 10) text.insert(text.begin(), '0');
  return text;
}

// Completed years between `birth` and `at`.
std::optional<int> ageAt(const nlohmann::json& birth, std::string_view at) {
  const auto b = dateParts(birth);
  const auto r = dateParts(nlohmann::json(std::string(at)));
  if (!b || !r) return std::nullopt;
  int age = (*r)[0] - (*b)[0];
  if ((*r)[1] < (*b)[1] || ((*r)[1] == (*b)[1] && (*r)[2] < (*b)[2])) --age;
  if (age < 0) return std::nullopt;
  return age;
}

std::string band(int age, int width) {
  const int low = age / width * width;
  return std::to_string(low) + "-" + std::to_string(low + width - 1);
}

// The département of a French postcode or INSEE commune code.
nlohmann::json departementOf(const nlohmann::json& value) {
  if (!value.is_string()) return nullptr;
  const auto& code = value.get_ref<const std::string&>();
  if (code.size() != 5) return nullptr;
  if (code.rfind("2A", 0) == 0 || code.rfind("2B", 0) == 0) return code.substr(0, 2);  // INSEE
  for (const char c : code)
    if (!std::isdigit(static_cast<unsigned char>(c))) return nullptr;
  if (code.rfind("97", 0) == 0 || code.rfind("98", 0) == 0) return code.substr(0, 3);
  // Corsican postcodes: 200xx and 201xx are Corse-du-Sud, 202xx to 206xx Haute-Corse.
  if (code.rfind("20", 0) == 0) return code[2] <= '1' ? "2A" : "2B";
  return code.substr(0, 2);
}

}  // namespace

std::optional<Generalisation> parseGeneralisation(std::string_view name) {
  for (const auto& [g, n] : kNames)
    if (n == name) return g;
  return std::nullopt;
}

std::string_view toString(Generalisation g) {
  for (const auto& [candidate, n] : kNames)
    if (candidate == g) return n;
  return "?";
}

bool appliesTo(Generalisation g, ValueKind kind) {
  switch (g) {
    case Generalisation::keep:
    case Generalisation::mask:
      return true;
    case Generalisation::month:
    case Generalisation::quarter:
    case Generalisation::year:
      return kind == ValueKind::date;
    case Generalisation::birth_year:
    case Generalisation::age_band_5:
    case Generalisation::age_band_10:
    case Generalisation::age_band_spie:
      return kind == ValueKind::birth_date;
    case Generalisation::departement:
      return kind == ValueKind::place;
    case Generalisation::cap_3:
    case Generalisation::diploma_group:
      return kind == ValueKind::plain;
  }
  return false;
}

int coarseness(Generalisation g) {
  switch (g) {
    case Generalisation::keep:
      return 0;
    case Generalisation::month:
    case Generalisation::birth_year:
    case Generalisation::departement:
    case Generalisation::cap_3:
    case Generalisation::diploma_group:
      return 1;
    case Generalisation::quarter:
    case Generalisation::age_band_5:
      return 2;
    case Generalisation::year:
    case Generalisation::age_band_10:
    case Generalisation::age_band_spie:
      return 3;
    case Generalisation::mask:
      return 9;
  }
  return 9;
}

nlohmann::json generalise(Generalisation g, const nlohmann::json& value,
                          std::string_view reference_date) {
  if (value.is_null()) return nullptr;
  switch (g) {
    case Generalisation::keep:
      return value;
    case Generalisation::mask:
      return "*";
    case Generalisation::month:
    case Generalisation::quarter:
    case Generalisation::year:
    case Generalisation::birth_year: {
      const auto d = dateParts(value);
      if (!d) return nullptr;
      const auto year = std::to_string((*d)[0]);
      if (g == Generalisation::month) return year + "-" + twoDigits((*d)[1]);
      if (g == Generalisation::quarter) return year + "-T" + std::to_string(((*d)[1] - 1) / 3 + 1);
      return year;
    }
    case Generalisation::age_band_5:
    case Generalisation::age_band_10:
    case Generalisation::age_band_spie: {
      const auto age = ageAt(value, reference_date);
      if (!age) return nullptr;
      if (g == Generalisation::age_band_5) return band(*age, 5);
      if (g == Generalisation::age_band_10) return band(*age, 10);
      if (*age < 25) return "<25";
      if (*age < 45) return "25-44";
      if (*age < 50) return "45-49";
      return "50+";
    }
    case Generalisation::departement:
      return departementOf(value);
    case Generalisation::cap_3:
      if (!value.is_number_integer()) return nullptr;
      return value.get<long long>() >= 3 ? nlohmann::json("3+")
                                         : nlohmann::json(std::to_string(value.get<long long>()));
    case Generalisation::diploma_group: {
      if (!value.is_string()) return nullptr;
      const auto& level = value.get_ref<const std::string&>();
      if (level == "infra_3" || level == "3") return "infra_bac";
      if (level == "4") return "bac";
      if (level == "5" || level == "6" || level == "7" || level == "8") return "superieur";
      return nullptr;
    }
  }
  return nullptr;
}

}  // namespace passerelle::policies
