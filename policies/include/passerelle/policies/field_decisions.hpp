#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace passerelle::policies {

struct PolicyRule;

// Why a field is not disclosed (or may not be written).
enum class WithholdReason {
  no_relationship,   // the partner's kind needs a relationship with the person, and has none
  not_in_policy,     // no rule grants this field to this kind for this purpose
  consent_required,  // a rule grants it on consent, and no valid consent covers it
};
std::string_view toString(WithholdReason reason);

// The fate of one catalogue field.
struct FieldDecision {
  bool allowed = false;
  WithholdReason reason = WithholdReason::not_in_policy;  // when not allowed
  const PolicyRule* rule = nullptr;                       // the rule that grants it, if any
  std::optional<std::string> consent_id;                  // the consent it relies on, if any
};

// Every catalogue field's fate, by path, in path order. A flat vector whose paths point into
// the catalogue, because a decision is built at every request: a map cost a node and a string
// per field (117 of each), a twelfth of a section write's CPU time. So it must not outlive
// the catalogue it was built from, as a decision must not outlive its policy.
class FieldDecisions {
 public:
  using value_type = std::pair<std::string_view, FieldDecision>;  // catalogue path, fate
  using const_iterator = std::vector<value_type>::const_iterator;

  void reserve(std::size_t n) { entries_.reserve(n); }
  // Adds the next field; paths must come in increasing order (std::out_of_range otherwise).
  void append(std::string_view path, FieldDecision decision);

  // The entry of `path`, or end() if the catalogue has no such field.
  const_iterator locate(std::string_view path) const;
  // The fate of `path`, or nullptr if the catalogue has no such field.
  const FieldDecision* find(std::string_view path) const;
  FieldDecision* find(std::string_view path);
  // The fate of `path`; std::out_of_range, naming it, if the catalogue has no such field.
  const FieldDecision& at(std::string_view path) const;

  const_iterator begin() const { return entries_.begin(); }
  const_iterator end() const { return entries_.end(); }
  std::size_t size() const { return entries_.size(); }

 private:
  std::vector<value_type> entries_;
};

}  // namespace passerelle::policies
