#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace passerelle::demo {

// Issues the demo's and the tests' X.509 material with OpenSSL: a local CA, and ECDSA P-256
// leaf certificates signed by it. Demo and test material only: production certificates come
// from the Département's PKI.
class DemoPki {
 public:
  // Creates a new CA (key and self-signed certificate) written as PEM to the two paths; the key
  // file is created readable by its owner only.
  static DemoPki createCa(const std::string& common_name, const std::filesystem::path& cert_pem,
                          const std::filesystem::path& key_pem);
  // Loads an existing CA from its PEM files.
  static DemoPki loadCa(const std::filesystem::path& cert_pem,
                        const std::filesystem::path& key_pem);

  DemoPki(DemoPki&&) noexcept;
  DemoPki& operator=(DemoPki&&) noexcept;
  ~DemoPki();

  enum class Usage { server, client };

  // Issues a leaf certificate for `common_name` with the given DNS names and IP addresses as
  // subject alternative names, valid 825 days. Throws DomainError(configuration) on failure.
  void issue(Usage usage, const std::string& common_name, const std::vector<std::string>& dns_names,
             const std::vector<std::string>& ip_addresses, const std::filesystem::path& cert_pem,
             const std::filesystem::path& key_pem) const;

 private:
  struct Impl;
  explicit DemoPki(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace passerelle::demo
