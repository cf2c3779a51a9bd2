#pragma once

#include <cstddef>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "passerelle/core/section.hpp"
#include "passerelle/policies/export_profile.hpp"

namespace passerelle::policies {

// A dossier as an export profile sees it, before anonymisation: each quasi-identifier at every
// rung of its ladder, each sensitive column at its rung, and the other columns as they leave.
struct ProjectedRow {
  std::vector<std::vector<nlohmann::json>> quasi;  // [quasi-identifier][level]
  std::vector<std::string> sensitive;              // one key per sensitive column
  std::vector<nlohmann::json> values;              // every column, in profile order; the
                                                   // quasi-identifiers' are filled by rowOf()
};

// Projects the current sections of a dossier through `profile`; ages are computed at
// `reference_date` (YYYY-MM-DD). Missing fields are null.
ProjectedRow project(const ExportProfile& profile,
                     const std::map<core::Section, nlohmann::json>& sections,
                     std::string_view reference_date);

// What the planner decided and why, for the export report.
struct AnonymityPlan {
  std::vector<std::size_t> levels;  // per quasi-identifier, the rung applied
  std::size_t rows = 0;             // rows seen
  std::size_t suppressed = 0;       // rows in classes below k (or not l-diverse)
  std::size_t classes = 0;          // equivalence classes that leave
  std::size_t smallest_class = 0;   // 0 if nothing leaves
  bool within_suppression_limit = true;
};

// Plans k-anonymity (and optional l-diversity) over a profile's quasi-identifiers in two passes
// over the population, with memory bounded by the number of distinct classes rather than rows.
// Pass 1: add() every row; it counts the classes of every combination of rungs. plan() then
// picks the least generalised combination that suppresses at most max_suppression of the rows
// (else the one suppressing fewest). Pass 2: leaves() says whether a row leaves under the plan,
// rowOf() gives it. Not thread-safe.
class AnonymityPlanner {
 public:
  // `profile` must outlive the planner.
  explicit AnonymityPlanner(const ExportProfile& profile);

  void add(const ProjectedRow& row);
  AnonymityPlan plan() const;

  bool leaves(const AnonymityPlan& plan, const ProjectedRow& row) const;
  // The row as it leaves: {"pseudonyme": ..., column: value, ...} in profile order.
  nlohmann::ordered_json rowOf(const AnonymityPlan& plan, const ProjectedRow& row,
                               const std::string& pseudonym) const;

  // Refused beyond this many combinations of rungs (a profile with too long ladders).
  static constexpr std::size_t kMaxCombinations = 4096;

 private:
  struct ClassStats {
    std::size_t count = 0;
    std::vector<std::vector<std::string>> distinct;  // per sensitive column, up to l values
  };
  using Classes = std::unordered_map<std::string, ClassStats>;

  std::string keyOf(const ProjectedRow& row, const std::vector<std::size_t>& levels) const;
  std::size_t combinationOf(const std::vector<std::size_t>& levels) const;
  bool passes(const ClassStats& stats) const;

  const ExportProfile& profile_;
  std::vector<std::size_t> ladder_sizes_;
  std::vector<std::vector<std::size_t>> combinations_;  // each combination's rung per column
  std::vector<std::size_t> quasi_columns_;  // index in profile.columns of each quasi-identifier
  std::vector<Classes> classes_;            // per combination
  std::size_t rows_ = 0;
};

}  // namespace passerelle::policies
