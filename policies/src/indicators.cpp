#include "passerelle/policies/indicators.hpp"

#include <algorithm>
#include <chrono>

#include "passerelle/policies/generalisation.hpp"
#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {

namespace detail {
const std::map<std::string, std::string>& builtinIndicatorDefinitions();
}  // namespace detail

namespace {

using nlohmann::json;
using nlohmann::ordered_json;
namespace chr = std::chrono;

std::optional<chr::year_month_day> dateOf(const json& value) {
  if (!value.is_string()) return std::nullopt;
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() < 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  try {
    const chr::year_month_day ymd{chr::year(std::stoi(text.substr(0, 4))),
                                  chr::month(static_cast<unsigned>(std::stoi(text.substr(5, 2)))),
                                  chr::day(static_cast<unsigned>(std::stoi(text.substr(8, 2))))};
    if (!ymd.ok()) return std::nullopt;
    return ymd;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

std::string isoOf(const chr::year_month_day& d) {
  char text[32];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(d.year()),
                static_cast<unsigned>(d.month()), static_cast<unsigned>(d.day()));
  return text;
}

// `date` plus `months`, the day clamped to the end of a shorter month.
std::string plusMonths(const chr::year_month_day& date, int months) {
  auto moved = date + chr::months(months);
  if (!moved.ok()) moved = moved.year() / moved.month() / chr::last;
  return isoOf(moved);
}

int daysBetween(const chr::year_month_day& a, const chr::year_month_day& b) {
  return static_cast<int>((chr::sys_days(b) - chr::sys_days(a)).count());
}

const json& part(const std::map<core::Section, json>& sections, core::Section section) {
  static const json kEmpty = json::object();
  const auto it = sections.find(section);
  return it == sections.end() || !it->second.is_object() ? kEmpty : it->second;
}

std::string text(const json& object, const char* key) {
  return object.contains(key) && object[key].is_string() ? object[key].get<std::string>() : "";
}

bool inRange(const std::string& date, const std::string& from, const std::string& to) {
  return !date.empty() && date.substr(0, 10) >= from && date.substr(0, 10) <= to;
}

bool small(std::size_t count, std::size_t threshold) {
  return count > 0 && count < threshold;
}

bool disclosive(std::size_t people, std::size_t with, std::size_t threshold) {
  return people < threshold || small(with, threshold) || small(people - with, threshold);
}

double rounded(double value) {
  return static_cast<double>(static_cast<long long>(value * 10000 + 0.5)) / 10000;
}

double median(const std::map<int, std::size_t>& histogram, std::size_t count) {
  // The mean of the two middle values when the count is even.
  const auto nth = [&](std::size_t n) {
    std::size_t seen = 0;
    for (const auto& [days, people] : histogram) {
      seen += people;
      if (seen > n) return days;
    }
    return histogram.rbegin()->first;
  };
  if (count % 2 == 1) return nth(count / 2);
  return (nth(count / 2 - 1) + nth(count / 2)) / 2.0;
}

ordered_json ratioJson(const IndicatorCalculator::Cell& cell) {
  return {{"people", cell.people},
          {"with", cell.with},
          {"rate", cell.people == 0 ? 0.0 : rounded(static_cast<double>(cell.with) / cell.people)}};
}

ordered_json delayJson(const IndicatorCalculator::Cell& cell) {
  return {{"people", cell.people},
          {"median_days", cell.people == 0 ? 0.0 : median(cell.days, cell.people)},
          {"within_target", cell.with},
          {"share_within_target",
           cell.people == 0 ? 0.0 : rounded(static_cast<double>(cell.with) / cell.people)}};
}

ordered_json tableJson(const IndicatorCalculator::Table& table, std::size_t threshold,
                       ordered_json (*render)(const IndicatorCalculator::Cell&)) {
  const ordered_json hidden = {{"hidden", true}};
  ordered_json out;
  const bool total_hidden = disclosive(table.total.people, table.total.with, threshold);
  out["total"] = total_hidden ? hidden : render(table.total);
  ordered_json by = ordered_json::object();
  for (const auto& [dimension, cells] : table.by) {
    const auto suppressed = suppressSmallCells(cells, threshold);
    ordered_json rendered = ordered_json::object();
    for (const auto& [name, cell] : cells)
      rendered[name] = total_hidden || suppressed.count(name) ? hidden : render(cell);
    by[dimension] = rendered;
  }
  out["by"] = by;
  return out;
}

}  // namespace

std::set<std::string> suppressSmallCells(
    const std::map<std::string, IndicatorCalculator::Cell>& cells, std::size_t threshold) {
  std::set<std::string> hidden;
  for (const auto& [name, cell] : cells)
    if (disclosive(cell.people, cell.with, threshold)) hidden.insert(name);
  while (!hidden.empty()) {
    std::size_t people = 0, with = 0;
    for (const auto& name : hidden) {
      people += cells.at(name).people;
      with += cells.at(name).with;
    }
    // total − visible = the hidden cells together: that sum must not disclose either.
    if (hidden.size() > 1 && !disclosive(people, with, threshold)) break;
    const std::string* smallest = nullptr;
    for (const auto& [name, cell] : cells)
      if (!hidden.count(name) && (smallest == nullptr || cell.people < cells.at(*smallest).people))
        smallest = &name;
    if (smallest == nullptr) break;  // everything is hidden
    hidden.insert(*smallest);
  }
  return hidden;
}

const IndicatorDefinitions& IndicatorDefinitions::builtin() {
  static const IndicatorDefinitions definitions = [] {
    const auto& files = detail::builtinIndicatorDefinitions();
    return parse(json::parse(files.at("spie.json")), "policies/indicators/spie.json");
  }();
  return definitions;
}

IndicatorDefinitions IndicatorDefinitions::parse(const json& d, const std::string& origin) {
  try {
    IndicatorDefinitions out;
    out.version = d.at("version").get<std::string>();
    out.threshold = d.at("threshold").get<std::size_t>();
    out.action_within_months = d.at("action_within_months").get<int>();
    out.orientation_target_days = d.at("orientation_target_days").get<int>();
    const auto& exits = d.at("exits");
    out.sustainable_contracts = exits.at("sustainable_contracts").get<std::vector<std::string>>();
    out.sustainable_if_at_least_months = exits.at("sustainable_if_at_least_months").get<int>();
    for (const auto& c : exits.at("positive_categories"))
      out.positive_categories.insert(c.get<std::string>());
    out.labels = d.at("labels").get<std::map<std::string, std::string>>();
    if (out.threshold < 2 || out.action_within_months < 1 || out.orientation_target_days < 1)
      throw PolicyError(origin + ": threshold must be at least 2, delays at least 1");
    return out;
  } catch (const json::exception& e) {
    throw PolicyError(origin + ": " + e.what());
  }
}

std::string exitCategory(const IndicatorDefinitions& definitions, const json& sortie,
                         const json& parcours) {
  if (sortie.value("emploi_trouve", false)) {
    const auto contract = text(sortie, "type_contrat");
    const auto& sustainable = definitions.sustainable_contracts;
    if (std::find(sustainable.begin(), sustainable.end(), contract) != sustainable.end())
      return "emploi_durable";
    if (sortie.contains("duree_contrat_mois") && sortie["duree_contrat_mois"].is_number_integer() &&
        sortie["duree_contrat_mois"].get<int>() >= definitions.sustainable_if_at_least_months)
      return "emploi_durable";
    return "emploi_de_transition";
  }
  if (sortie.value("formation_trouvee", false)) return "sortie_positive";
  const auto reason = text(parcours, "motif_sortie");
  if (sortie.empty() && reason == "emploi") return "emploi_de_transition";
  if (sortie.empty() && reason == "formation") return "sortie_positive";
  return "autre_sortie";
}

IndicatorCalculator::IndicatorCalculator(const IndicatorDefinitions& definitions, std::string from,
                                         std::string to, std::string as_of)
    : definitions_(definitions),
      from_(std::move(from)),
      to_(std::move(to)),
      as_of_(std::move(as_of)) {}

void IndicatorCalculator::count(Table& table, const std::map<std::string, std::string>& where,
                                bool with, std::optional<int> days) {
  const auto add = [&](Cell& cell) {
    ++cell.people;
    if (with) ++cell.with;
    if (days) ++cell.days[*days];
  };
  add(table.total);
  for (const auto& [dimension, value] : where) add(table.by[dimension][value]);
}

void IndicatorCalculator::add(const std::map<core::Section, json>& sections) {
  const auto& identite = part(sections, core::Section::identite);
  const auto& parcours = part(sections, core::Section::parcours);
  const auto& orientation = part(sections, core::Section::orientation);
  const auto& contrat = part(sections, core::Section::contrat);
  const auto& droits = part(sections, core::Section::droits);
  const auto& sortie = part(sections, core::Section::sortie);

  const auto sex = text(identite, "sexe");
  const auto band =
      generalise(Generalisation::age_band_spie, identite.value("date_naissance", json()), to_);
  const auto structure = text(orientation, "structure_referente");
  const std::map<std::string, std::string> who = {
      {"sexe", sex.empty() ? "inconnu" : sex},
      {"tranche_age", band.is_string() ? band.get<std::string>() : "inconnue"},
      {"structure", structure.empty() ? "non_oriente" : structure}};
  const auto withMonth = [&](const std::string& date) {
    auto where = who;
    where["mois"] = date.substr(0, 7);
    return where;
  };

  const auto entry = text(parcours, "date_entree");
  const auto exit = text(parcours, "date_sortie");
  const auto actions = parcours.value("actions", json::array());

  // 1. Entrants of the period without an action prescribed within the delay.
  if (const auto entered = dateOf(parcours.value("date_entree", json()));
      entered && inRange(entry, from_, to_)) {
    const auto deadline = plusMonths(*entered, definitions_.action_within_months);
    if (deadline > as_of_) {
      ++pending_;
    } else {
      bool prescribed = false;
      for (const auto& a : actions)
        if (inRange(text(a, "date_prescription"), entry.substr(0, 10), deadline)) prescribed = true;
      count(without_action_, withMonth(entry), !prescribed);
    }
  }
  // 2. Exits of the period, positive or not.
  if (inRange(exit, from_, to_))
    count(positive_exits_, withMonth(exit),
          definitions_.positive_categories.count(exitCategory(definitions_, sortie, parcours)) > 0);
  // 3. Partners whose offer was mobilised: actions prescribed during the period.
  for (const auto& a : actions) {
    const auto prescribed = text(a, "date_prescription");
    const auto partner = text(a, "structure");
    if (partner.empty() || !inRange(prescribed, from_, to_)) continue;
    partners_.insert(partner);
    partners_by_month_[prescribed.substr(0, 7)].insert(partner);
  }
  // 4. Delay from the opening of RSA rights to the orientation decided during the period.
  const auto decided = text(orientation, "date_decision");
  const auto opened =
      dateOf(droits.value("rsa", json::object()).value("date_ouverture_droits", json()));
  const auto decision = dateOf(orientation.value("date_decision", json()));
  if (opened && decision && inRange(decided, from_, to_) && *opened <= *decision) {
    const int days = daysBetween(*opened, *decision);
    count(orientation_delay_, withMonth(decided), days <= definitions_.orientation_target_days,
          days);
  }
  // 5. People in the pathway during the period with a référent and a contract.
  if (!entry.empty() && entry.substr(0, 10) <= to_ &&
      (exit.empty() || exit.substr(0, 10) >= from_)) {
    const bool referent =
        orientation.contains("referent") && !text(orientation["referent"], "nom").empty();
    const bool contract =
        !text(contrat, "type").empty() && (text(contrat, "date_signature").empty() ||
                                           text(contrat, "date_signature").substr(0, 10) <= to_);
    count(referent_and_contract_, who, referent && contract);
  }
}

ordered_json IndicatorCalculator::result() const {
  const auto threshold = definitions_.threshold;
  const auto label = [&](const std::string& id) {
    const auto it = definitions_.labels.find(id);
    return it == definitions_.labels.end() ? id : it->second;
  };
  ordered_json indicators = ordered_json::array();
  auto without = tableJson(without_action_, threshold, ratioJson);
  ordered_json first = {{"id", "sans_action_3_mois"}, {"label", label("sans_action_3_mois")}};
  first.update(without);
  first["pending"] = pending_;  // a count of the period's entrants, shown with the total
  if (without["total"].contains("hidden")) first["pending"] = ordered_json({{"hidden", true}});
  indicators.push_back(first);
  ordered_json exits = {{"id", "sorties_positives"}, {"label", label("sorties_positives")}};
  exits.update(tableJson(positive_exits_, threshold, ratioJson));
  indicators.push_back(exits);
  ordered_json partners = {{"id", "partenaires_mobilises"},
                           {"label", label("partenaires_mobilises")},
                           {"total", {{"value", partners_.size()}}}};
  ordered_json months = ordered_json::object();
  for (const auto& [month, set] : partners_by_month_) months[month] = {{"value", set.size()}};
  partners["by"] = {{"mois", months}};
  indicators.push_back(partners);
  ordered_json delay = {{"id", "delai_orientation"},
                        {"label", label("delai_orientation")},
                        {"target_days", definitions_.orientation_target_days}};
  delay.update(tableJson(orientation_delay_, threshold, delayJson));
  indicators.push_back(delay);
  ordered_json referent = {{"id", "referent_et_contrat"}, {"label", label("referent_et_contrat")}};
  referent.update(tableJson(referent_and_contract_, threshold, ratioJson));
  indicators.push_back(referent);
  return {{"definitions_version", definitions_.version},
          {"period", {{"from", from_}, {"to", to_}}},
          {"as_of", as_of_},
          {"threshold", threshold},
          {"indicators", indicators}};
}

}  // namespace passerelle::policies
