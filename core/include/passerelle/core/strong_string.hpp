#pragma once

#include <compare>
#include <functional>
#include <string>
#include <utility>

namespace passerelle::core {

// A string that carries its meaning in its type, so that a partner id cannot be passed where a
// dossier id is expected. Immutable value type; safe to share across threads.
template <class Tag>
class StrongString {
 public:
  explicit StrongString(std::string value) : value_(std::move(value)) {}

  const std::string& str() const { return value_; }

  friend auto operator<=>(const StrongString&, const StrongString&) = default;

 private:
  std::string value_;
};

}  // namespace passerelle::core

template <class Tag>
struct std::hash<passerelle::core::StrongString<Tag>> {
  std::size_t operator()(const passerelle::core::StrongString<Tag>& s) const noexcept {
    return std::hash<std::string>{}(s.str());
  }
};
