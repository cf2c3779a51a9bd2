#include "tls_context.hpp"

#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLManager.h>

#include <filesystem>
#include <mutex>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::gateway {

Poco::Net::Context::Ptr makeServerContext(const TlsFiles& files) {
  for (const auto& f : {files.certificate, files.private_key, files.client_ca})
    if (!std::filesystem::is_regular_file(f))
      throw core::DomainError(core::ErrorKind::configuration,
                              "TLS file " + f.string() + " does not exist");

  static std::once_flag ssl_ready;
  std::call_once(ssl_ready, [] {
    Poco::Net::initializeSSL();
    // Without a handler that accepts, any certificate failing verification ends the handshake.
    Poco::Net::SSLManager::instance().initializeServer(
        nullptr, new Poco::Net::RejectCertificateHandler(true), nullptr);
  });

  Poco::Net::Context::Params params;
  params.certificateFile = files.certificate.string();
  params.privateKeyFile = files.private_key.string();
  params.caLocation = files.client_ca.string();
  params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;  // certificate optional: tokens
  params.loadDefaultCAs = false;
  params.cipherList = "ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL";
  try {
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    context->requireMinimumProtocol(Poco::Net::Context::PROTO_TLSV1_2);
    context->preferServerCiphers();
    context->enableSessionCache(true, "passerelle-dui");
    return context;
  } catch (const Poco::Exception& e) {
    throw core::DomainError(core::ErrorKind::configuration, "TLS setup failed: " + e.displayText());
  }
}

}  // namespace passerelle::gateway
