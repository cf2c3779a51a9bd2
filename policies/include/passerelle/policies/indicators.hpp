#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "passerelle/core/section.hpp"

namespace passerelle::policies {

// What the SPIE indicators count, as versioned data (policies/indicators/spie.json): the
// small-cell threshold, the delays, which exits are positive. Each result names its version.
struct IndicatorDefinitions {
  std::string version;
  std::size_t threshold = 11;
  int action_within_months = 3;
  int orientation_target_days = 30;
  std::vector<std::string> sustainable_contracts;
  int sustainable_if_at_least_months = 6;
  std::set<std::string> positive_categories;
  std::map<std::string, std::string> labels;

  // The definitions shipped in the build. Throws PolicyError if the shipped file is malformed.
  static const IndicatorDefinitions& builtin();
  static IndicatorDefinitions parse(const nlohmann::json& document, const std::string& origin);
};

// How a pathway ended, per the definitions: emploi_durable, emploi_de_transition,
// sortie_positive (qualifying training), autre_sortie.
std::string exitCategory(const IndicatorDefinitions& definitions, const nlohmann::json& sortie,
                         const nlohmann::json& parcours);

// The SPIE indicators over a period [from, to] (YYYY-MM-DD), from dossiers given one at a time
// (memory bounded by the number of cells, not of dossiers), broken down by month, sex, age band
// and structure, with small cells hidden and enough others hidden with them that no hidden
// cell can be recovered by subtracting the visible ones from the total. Not thread-safe.
class IndicatorCalculator {
 public:
  // `as_of` (YYYY-MM-DD, usually today): a person who entered less than the action delay before
  // it is not counted yet (the 3 months have not elapsed).
  IndicatorCalculator(const IndicatorDefinitions& definitions, std::string from, std::string to,
                      std::string as_of);

  void add(const std::map<core::Section, nlohmann::json>& sections);
  nlohmann::ordered_json result() const;

  // A cell of a ratio or delay: how many people it counts (denominator), how many of them have
  // the property (numerator), and for delays how many people waited how many days (a
  // histogram: bounded memory, exact median).
  struct Cell {
    std::size_t people = 0;
    std::size_t with = 0;
    std::map<int, std::size_t> days;
  };
  // One indicator: its total and, per dimension, its cells.
  struct Table {
    Cell total;
    std::map<std::string, std::map<std::string, Cell>> by;
  };

 private:
  void count(Table& table, const std::map<std::string, std::string>& where, bool with,
             std::optional<int> days = std::nullopt);

  IndicatorDefinitions definitions_;  // a copy: small, and no dangling reference to a temporary
  std::string from_, to_, as_of_;
  std::size_t pending_ = 0;  // entered, but the action delay has not elapsed at as_of
  Table without_action_, positive_exits_, orientation_delay_, referent_and_contract_;
  std::map<std::string, std::set<std::string>> partners_by_month_;
  std::set<std::string> partners_;
};

// Hides, in place, every cell of `cells` that counts fewer than `threshold` people (or fewer
// than `threshold` with or without the property, a count of people too), then, while the hidden
// cells could be recovered from the total — one alone, or together fewer than the threshold —
// hides the smallest visible cell as well. Returns the names of the hidden cells.
std::set<std::string> suppressSmallCells(
    const std::map<std::string, IndicatorCalculator::Cell>& cells, std::size_t threshold);

}  // namespace passerelle::policies
