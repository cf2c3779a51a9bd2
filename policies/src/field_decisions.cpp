#include "passerelle/policies/field_decisions.hpp"

#include <algorithm>
#include <stdexcept>

namespace passerelle::policies {

std::string_view toString(WithholdReason reason) {
  switch (reason) {
    case WithholdReason::no_relationship:
      return "no_relationship";
    case WithholdReason::not_in_policy:
      return "not_in_policy";
    case WithholdReason::consent_required:
      return "consent_required";
  }
  return "not_in_policy";
}

void FieldDecisions::append(std::string_view path, FieldDecision decision) {
  if (!entries_.empty() && entries_.back().first >= path)
    throw std::out_of_range("field decisions: " + std::string(path) + " comes after " +
                            std::string(entries_.back().first));
  entries_.emplace_back(path, std::move(decision));
}

FieldDecisions::const_iterator FieldDecisions::locate(std::string_view path) const {
  const auto it =
      std::lower_bound(entries_.begin(), entries_.end(), path,
                       [](const value_type& entry, std::string_view p) { return entry.first < p; });
  return it != entries_.end() && it->first == path ? it : entries_.end();
}

const FieldDecision* FieldDecisions::find(std::string_view path) const {
  const auto it = locate(path);
  return it != entries_.end() ? &it->second : nullptr;
}

FieldDecision* FieldDecisions::find(std::string_view path) {
  return const_cast<FieldDecision*>(std::as_const(*this).find(path));
}

const FieldDecision& FieldDecisions::at(std::string_view path) const {
  const auto* found = find(path);
  if (found == nullptr) throw std::out_of_range("no such catalogue field: " + std::string(path));
  return *found;
}

}  // namespace passerelle::policies
