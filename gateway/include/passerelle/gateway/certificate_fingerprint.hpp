#pragma once

#include <openssl/x509.h>

#include <filesystem>
#include <string>

namespace passerelle::gateway {

// Lowercase hex SHA-256 of the certificate's DER encoding: how the partner registry names a
// client certificate (the same value as `openssl x509 -noout -fingerprint -sha256`).
std::string certificateFingerprint(const X509* certificate);

// The same, for a PEM certificate file. Throws DomainError(configuration) naming the file.
std::string certificateFingerprint(const std::filesystem::path& pem_file);

}  // namespace passerelle::gateway
