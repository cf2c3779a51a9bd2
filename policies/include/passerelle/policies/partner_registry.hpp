#pragma once

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "passerelle/policies/partner.hpp"

namespace passerelle::policies {

// The partners the gateway knows, and how each authenticates. Immutable once loaded; safe to
// share across request threads.
class PartnerRegistry {
 public:
  // Loads a registry file (JSON: {"partners": [...]}). Throws core::DomainError(configuration)
  // naming the file and the offending entry if an entry is incomplete, an id or kind unknown or
  // repeated, a fingerprint or token hash malformed or claimed by two partners.
  static PartnerRegistry loadFile(const std::filesystem::path& path);
  static PartnerRegistry parse(const nlohmann::json& document, const std::string& source);

  // The partner whose certificate has this SHA-256 fingerprint (hex, any case), or nullptr.
  const Partner* byCertificate(const std::string& sha256_hex) const;
  // The partner holding a bearer token with this SHA-256 (hex), or nullptr.
  const Partner* byTokenHash(const std::string& sha256_hex) const;
  const Partner* byId(const core::PartnerId& id) const;

  const std::vector<Partner>& partners() const { return partners_; }

  // The registry as a JSON document that parse() accepts.
  nlohmann::json toJson() const;

 private:
  std::vector<Partner> partners_;
  std::map<std::string, std::size_t> by_certificate_;
  std::map<std::string, std::size_t> by_token_;
  std::map<std::string, std::size_t> by_id_;
};

}  // namespace passerelle::policies
