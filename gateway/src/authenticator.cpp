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

// Every credential presented must hold: a certificate and a token are both checked, and must
// name the same partner. A failing credential beside a good one is a failure, not a fallback.
Caller authenticate(Poco::Net::HTTPServerRequest& request,
                    const policies::PartnerRegistry& registry, std::string& presented) {
  const policies::Partner* by_certificate = nullptr;
  if (auto fingerprint = clientFingerprint(request)) {
    presented = "cert:" + fingerprint->substr(0, 16);
    by_certificate = registry.byCertificate(*fingerprint);
    if (by_certificate == nullptr)
      throw unauthenticated("the client certificate is not registered for any partner");
  }
  if (!request.has("Authorization")) {
    if (by_certificate == nullptr)
      throw unauthenticated("present a registered client certificate or a bearer token");
    return {by_certificate, presented};
  }
  const std::string& value = request.get("Authorization");
  if (Poco::icompare(value.substr(0, 7), "Bearer ") != 0)
    throw unauthenticated("only Bearer tokens are accepted in Authorization");
  const auto hash = crypto::sha256Hex(Poco::trim(value.substr(7)));
  presented += std::string(presented.empty() ? "" : " ") + "token:" + hash.substr(0, 16);
  const auto* by_token = registry.byTokenHash(hash);
  if (by_token == nullptr) throw unauthenticated("the bearer token is not valid");
  if (by_certificate != nullptr && by_certificate != by_token)
    throw unauthenticated("the client certificate and the bearer token name different partners");
  return {by_token, presented};
}

}  // namespace passerelle::gateway
