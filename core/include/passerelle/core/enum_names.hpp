#pragma once

#include <array>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <utility>
#include <vector>

namespace passerelle::core {

// A fixed table between the values of a closed enum and their wire names. Immutable; safe to
// share across threads.
template <class E, std::size_t N>
class EnumNames {
 public:
  constexpr explicit EnumNames(std::array<std::pair<E, std::string_view>, N> table)
      : table_(table) {}

  std::optional<E> parse(std::string_view name) const {
    for (const auto& [value, text] : table_)
      if (text == name) return value;
    return std::nullopt;
  }

  std::string_view name(E value) const {
    for (const auto& [v, text] : table_)
      if (v == value) return text;
    throw std::logic_error("enum value without a name");
  }

  std::vector<E> values() const {
    std::vector<E> all;
    for (const auto& entry : table_) all.push_back(entry.first);
    return all;
  }

 private:
  std::array<std::pair<E, std::string_view>, N> table_;
};

}  // namespace passerelle::core
