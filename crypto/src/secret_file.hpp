#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace passerelle::crypto::detail {

// The text of a file holding a secret; `what` names it in errors ("master key file"). Refuses a
// file that group or others may access. The caller wipes the text once parsed.
std::string readOwnerOnlyFile(const std::filesystem::path& path, std::string_view what);

// Creates a file readable by its owner only, holding `text`, made durable; never overwrites
// (the message says so, naming `what` and the file).
void writeNewOwnerOnlyFile(const std::filesystem::path& path, std::string_view text,
                           std::string_view what);

}  // namespace passerelle::crypto::detail
