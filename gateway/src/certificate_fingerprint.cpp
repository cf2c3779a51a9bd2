#include "passerelle/gateway/certificate_fingerprint.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/bytes.hpp"

namespace passerelle::gateway {

std::string certificateFingerprint(const X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (X509_digest(certificate, EVP_sha256(), digest, &length) != 1)
    throw core::DomainError(core::ErrorKind::configuration,
                            "cannot compute a certificate fingerprint");
  return crypto::toHex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string certificateFingerprint(const std::filesystem::path& pem_file) {
  std::unique_ptr<FILE, decltype(&std::fclose)> file(std::fopen(pem_file.c_str(), "r"),
                                                     &std::fclose);
  if (!file)
    throw core::DomainError(core::ErrorKind::configuration,
                            "cannot read certificate " + pem_file.string());
  std::unique_ptr<X509, decltype(&X509_free)> cert(
      PEM_read_X509(file.get(), nullptr, nullptr, nullptr), &X509_free);
  if (!cert)
    throw core::DomainError(core::ErrorKind::configuration,
                            pem_file.string() + " is not a PEM certificate");
  return certificateFingerprint(cert.get());
}

}  // namespace passerelle::gateway
