#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace passerelle::schemas {

// The result of checking a NIR as written by a partner.
struct NirCheck {
  bool valid = false;
  std::string normalised;  // the 13 characters without key, upper case (2A/2B kept); if valid
  std::string problem;     // why it is not valid; never contains the NIR itself
};

// Accepts 13 characters, or 13 + a 2-digit key; spaces are ignored. Checks the shape and, when a
// key is given, that key == 97 - (NIR mod 97), with Corsica's 2A read as 19 and 2B as 18.
NirCheck checkNir(std::string_view written);

// The control key of a 13-character NIR (for generating test and demo data).
int nirKey(std::string_view thirteen);

}  // namespace passerelle::schemas
