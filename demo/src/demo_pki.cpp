#include "passerelle/demo/demo_pki.hpp"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::demo {

namespace {

using KeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using CertPtr = std::unique_ptr<X509, decltype(&X509_free)>;
using FilePtr = std::unique_ptr<FILE, decltype(&std::fclose)>;

[[noreturn]] void fail(const std::string& what) {
  throw core::DomainError(core::ErrorKind::configuration, "demo PKI: " + what);
}

KeyPtr newKey() {
  KeyPtr key(EVP_EC_gen("P-256"), &EVP_PKEY_free);
  if (!key) fail("cannot generate an EC P-256 key");
  return key;
}

FilePtr openForWrite(const std::filesystem::path& path, bool secret) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, secret ? 0600 : 0644);
  if (fd < 0) fail("cannot create " + path.string());
  FilePtr file(::fdopen(fd, "w"), &std::fclose);
  if (!file) {
    ::close(fd);
    fail("cannot open " + path.string());
  }
  return file;
}

void writeKey(const EVP_PKEY* key, const std::filesystem::path& path) {
  auto file = openForWrite(path, true);
  if (PEM_write_PrivateKey(file.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1)
    fail("cannot write " + path.string());
}

void writeCert(X509* cert, const std::filesystem::path& path) {
  auto file = openForWrite(path, false);
  if (PEM_write_X509(file.get(), cert) != 1) fail("cannot write " + path.string());
}

void addExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  if (ext == nullptr) fail("bad extension " + value);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

CertPtr newCertificate(const std::string& common_name, EVP_PKEY* key, long days) {
  CertPtr cert(X509_new(), &X509_free);
  X509_set_version(cert.get(), 2);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> serial(BN_new(), &BN_free);
  BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY);
  BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get()));
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("Passerelle DUI demo"), -1, -1,
                             0);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  return cert;
}

}  // namespace

struct DemoPki::Impl {
  KeyPtr key{nullptr, &EVP_PKEY_free};
  CertPtr cert{nullptr, &X509_free};
};

DemoPki::DemoPki(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
DemoPki::DemoPki(DemoPki&&) noexcept = default;
DemoPki& DemoPki::operator=(DemoPki&&) noexcept = default;
DemoPki::~DemoPki() = default;

DemoPki DemoPki::createCa(const std::string& common_name, const std::filesystem::path& cert_pem,
                          const std::filesystem::path& key_pem) {
  auto impl = std::make_unique<Impl>();
  impl->key = newKey();
  impl->cert = newCertificate(common_name, impl->key.get(), 3650);
  X509_set_issuer_name(impl->cert.get(), X509_get_subject_name(impl->cert.get()));
  addExtension(impl->cert.get(), impl->cert.get(), NID_basic_constraints,
               "critical,CA:TRUE,pathlen:0");
  addExtension(impl->cert.get(), impl->cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  addExtension(impl->cert.get(), impl->cert.get(), NID_subject_key_identifier, "hash");
  if (X509_sign(impl->cert.get(), impl->key.get(), EVP_sha256()) == 0) fail("cannot sign the CA");
  writeKey(impl->key.get(), key_pem);
  writeCert(impl->cert.get(), cert_pem);
  return DemoPki(std::move(impl));
}

DemoPki DemoPki::loadCa(const std::filesystem::path& cert_pem,
                        const std::filesystem::path& key_pem) {
  auto impl = std::make_unique<Impl>();
  FilePtr cf(std::fopen(cert_pem.c_str(), "r"), &std::fclose);
  FilePtr kf(std::fopen(key_pem.c_str(), "r"), &std::fclose);
  if (!cf || !kf) fail("cannot read the CA files " + cert_pem.string() + ", " + key_pem.string());
  impl->cert.reset(PEM_read_X509(cf.get(), nullptr, nullptr, nullptr));
  impl->key.reset(PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr));
  if (!impl->cert || !impl->key) fail("the CA files are not PEM");
  return DemoPki(std::move(impl));
}

void DemoPki::issue(Usage usage, const std::string& common_name,
                    const std::vector<std::string>& dns_names,
                    const std::vector<std::string>& ip_addresses,
                    const std::filesystem::path& cert_pem,
                    const std::filesystem::path& key_pem) const {
  auto key = newKey();
  auto cert = newCertificate(common_name, key.get(), 825);
  X509_set_issuer_name(cert.get(), X509_get_subject_name(impl_->cert.get()));
  X509* ca = impl_->cert.get();
  addExtension(cert.get(), ca, NID_basic_constraints, "critical,CA:FALSE");
  addExtension(cert.get(), ca, NID_key_usage, "critical,digitalSignature");
  addExtension(cert.get(), ca, NID_ext_key_usage,
               usage == Usage::server ? "serverAuth" : "clientAuth");
  addExtension(cert.get(), ca, NID_subject_key_identifier, "hash");
  addExtension(cert.get(), ca, NID_authority_key_identifier, "keyid:always");
  std::string san;
  for (const auto& d : dns_names) {
    if (!san.empty()) san += ',';
    san += "DNS:";
    san += d;
  }
  for (const auto& ip : ip_addresses) {
    if (!san.empty()) san += ',';
    san += "IP:";
    san += ip;
  }
  if (!san.empty()) addExtension(cert.get(), ca, NID_subject_alt_name, san);
  if (X509_sign(cert.get(), impl_->key.get(), EVP_sha256()) == 0)
    fail("cannot sign " + common_name);
  writeKey(key.get(), key_pem);
  writeCert(cert.get(), cert_pem);
}

}  // namespace passerelle::demo
