#include "authenticator.hpp"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/X509Certificate.h>
#include <Poco/String.h>

#include "passerelle/crypto/digest.hpp"
#include "passerelle/gateway/certificate_fingerprint.hpp"
#include "passerelle/gateway/problem.hpp"

namespace passerelle::gateway {

namespace {

ProblemException unauthenticated(const std::string& detail) {
  return ProblemException({ProblemType::unauthenticated, detail, {}});
}

std::optional<std::string> clientFingerprint(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr) return std::nullopt;
  Poco::Net::SecureStreamSocket socket(impl->socket());
  if (!socket.havePeerCertificate()) return std::nullopt;
  return certificateFingerprint(socket.peerCertificate().certificate());
}

}  // namespace

Caller authenticate(Poco::Net::HTTPServerRequest& request,
                    const policies::PartnerRegistry& registry, std::string& presented) {
  if (auto fingerprint = clientFingerprint(request)) {
    presented = "cert:" + fingerprint->substr(0, 16);
    const auto* partner = registry.byCertificate(*fingerprint);
    if (partner == nullptr)
      throw unauthenticated("the client certificate is not registered for any partner");
    return {partner, presented};
  }
  if (request.has("Authorization")) {
    const std::string& value = request.get("Authorization");
    if (Poco::icompare(value.substr(0, 7), "Bearer ") != 0)
      throw unauthenticated("only Bearer tokens are accepted in Authorization");
    const auto hash = crypto::sha256Hex(Poco::trim(value.substr(7)));
    presented = "token:" + hash.substr(0, 16);
    const auto* partner = registry.byTokenHash(hash);
    if (partner == nullptr) throw unauthenticated("the bearer token is not valid");
    return {partner, presented};
  }
  throw unauthenticated("present a registered client certificate or a bearer token");
}

}  // namespace passerelle::gateway
