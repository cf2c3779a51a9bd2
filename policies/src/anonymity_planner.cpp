#include "passerelle/policies/anonymity_planner.hpp"

#include <algorithm>
#include <limits>

#include "passerelle/policies/policy_set.hpp"

namespace passerelle::policies {

namespace {

using nlohmann::json;

// The value at a catalogue path ("/identite/date_naissance") in the dossier's sections.
const json* valueAt(const std::map<core::Section, json>& sections, const std::string& path) {
  const auto section = schemas::FieldCatalogue::sectionOf(core::FieldPath(path));
  const auto it = sections.find(section);
  if (it == sections.end()) return nullptr;
  const auto inner = path.substr(path.find('/', 1));
  const json::json_pointer pointer(inner);
  return it->second.contains(pointer) ? &it->second.at(pointer) : nullptr;
}

json columnValue(const ExportColumn& column, const std::map<core::Section, json>& sections,
                 std::string_view reference_date, std::size_t level) {
  const auto* value = valueAt(sections, column.path.str());
  if (column.items.empty())
    return value == nullptr ? json(nullptr)
                            : generalise(column.levels[level], *value, reference_date);
  json list = json::array();
  if (value == nullptr || !value->is_array()) return list;
  for (const auto& element : *value) {
    json item = json::object();
    for (const auto& sub : column.items) {
      const auto key = sub.path.str().substr(column.path.str().size() + 3);  // after "/*/"
      const json::json_pointer pointer("/" + key);
      item[sub.name] = element.contains(pointer)
                           ? generalise(sub.levels.front(), element.at(pointer), reference_date)
                           : json(nullptr);
    }
    list.push_back(std::move(item));
  }
  return list;
}

}  // namespace

ProjectedRow project(const ExportProfile& profile, const std::map<core::Section, json>& sections,
                     std::string_view reference_date) {
  ProjectedRow row;
  for (const auto& column : profile.columns) {
    if (column.role == ColumnRole::quasi_identifier) {
      std::vector<json> rungs;
      for (std::size_t level = 0; level < column.levels.size(); ++level)
        rungs.push_back(columnValue(column, sections, reference_date, level));
      row.quasi.push_back(std::move(rungs));
      row.values.emplace_back(nullptr);
      continue;
    }
    row.values.push_back(columnValue(column, sections, reference_date, 0));
    if (column.role == ColumnRole::sensitive) row.sensitive.push_back(row.values.back().dump());
  }
  return row;
}

AnonymityPlanner::AnonymityPlanner(const ExportProfile& profile) : profile_(profile) {
  std::size_t combinations = 1;
  for (std::size_t i = 0; i < profile.columns.size(); ++i) {
    if (profile.columns[i].role != ColumnRole::quasi_identifier) continue;
    quasi_columns_.push_back(i);
    ladder_sizes_.push_back(profile.columns[i].levels.size());
    combinations *= ladder_sizes_.back();
    if (combinations > kMaxCombinations)
      throw PolicyError("export profile " + profile.id +
                        ": the quasi-identifiers' ladders allow more than 4096 combinations");
  }
  classes_.resize(combinations);
  for (std::size_t c = 0; c < combinations; ++c) {
    std::vector<std::size_t> levels(ladder_sizes_.size());
    for (std::size_t i = 0, rest = c; i < levels.size(); ++i) {
      levels[i] = rest % ladder_sizes_[i];
      rest /= ladder_sizes_[i];
    }
    combinations_.push_back(std::move(levels));
  }
}

std::size_t AnonymityPlanner::combinationOf(const std::vector<std::size_t>& levels) const {
  std::size_t combination = 0;
  for (std::size_t i = levels.size(); i-- > 0;)
    combination = combination * ladder_sizes_[i] + levels[i];
  return combination;
}

std::string AnonymityPlanner::keyOf(const ProjectedRow& row,
                                    const std::vector<std::size_t>& levels) const {
  std::string key;
  for (std::size_t i = 0; i < levels.size(); ++i) {
    key += row.quasi[i][levels[i]].dump();
    key += '\x1f';
  }
  return key;
}

void AnonymityPlanner::add(const ProjectedRow& row) {
  ++rows_;
  const std::size_t l = profile_.l.value_or(0);
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    auto& stats = classes_[c][keyOf(row, combinations_[c])];
    ++stats.count;
    if (l == 0) continue;
    stats.distinct.resize(row.sensitive.size());
    for (std::size_t s = 0; s < row.sensitive.size(); ++s) {
      auto& seen = stats.distinct[s];
      if (seen.size() < l && std::find(seen.begin(), seen.end(), row.sensitive[s]) == seen.end())
        seen.push_back(row.sensitive[s]);
    }
  }
}

bool AnonymityPlanner::passes(const ClassStats& stats) const {
  if (stats.count < profile_.k) return false;
  if (!profile_.l) return true;
  return std::all_of(stats.distinct.begin(), stats.distinct.end(),
                     [&](const auto& seen) { return seen.size() >= *profile_.l; });
}

AnonymityPlan AnonymityPlanner::plan() const {
  const auto limit =
      static_cast<std::size_t>(profile_.max_suppression * static_cast<double>(rows_));
  AnonymityPlan best;
  std::size_t best_height = std::numeric_limits<std::size_t>::max();
  bool have = false;
  for (std::size_t c = 0; c < classes_.size(); ++c) {
    AnonymityPlan candidate;
    candidate.levels = combinations_[c];
    candidate.rows = rows_;
    candidate.smallest_class = 0;
    for (const auto& [key, stats] : classes_[c]) {
      if (!passes(stats)) {
        candidate.suppressed += stats.count;
        continue;
      }
      ++candidate.classes;
      if (candidate.smallest_class == 0 || stats.count < candidate.smallest_class)
        candidate.smallest_class = stats.count;
    }
    candidate.within_suppression_limit = candidate.suppressed <= limit;
    std::size_t height = 0;
    for (const auto level : candidate.levels) height += level;
    // Within the limit beats outside it; then less generalisation; then fewer suppressed.
    const auto rank = [](const AnonymityPlan& p, std::size_t h) {
      return std::make_tuple(!p.within_suppression_limit,
                             p.within_suppression_limit ? h : p.suppressed,
                             p.within_suppression_limit ? p.suppressed : h);
    };
    if (!have || rank(candidate, height) < rank(best, best_height)) {
      best = std::move(candidate);
      best_height = height;
      have = true;
    }
  }
  return best;
}

bool AnonymityPlanner::leaves(const AnonymityPlan& plan, const ProjectedRow& row) const {
  const auto& classes = classes_[combinationOf(plan.levels)];
  const auto it = classes.find(keyOf(row, plan.levels));
  return it != classes.end() && passes(it->second);
}

nlohmann::ordered_json AnonymityPlanner::rowOf(const AnonymityPlan& plan, const ProjectedRow& row,
                                               const std::string& pseudonym) const {
  nlohmann::ordered_json out;
  out["pseudonyme"] = pseudonym;
  std::size_t quasi = 0;
  for (std::size_t i = 0; i < profile_.columns.size(); ++i) {
    if (quasi < quasi_columns_.size() && quasi_columns_[quasi] == i) {
      out[profile_.columns[i].name] = row.quasi[quasi][plan.levels[quasi]];
      ++quasi;
    } else {
      out[profile_.columns[i].name] = row.values[i];
    }
  }
  return out;
}

}  // namespace passerelle::policies
