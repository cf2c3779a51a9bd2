#include "authenticator.hpp"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/NameValueCollection.h>
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
                    const policies::PartnerRegistry& registry, const app::ConsoleSessions* sessions,
                    std::string& presented) {
  const auto note = [&](const std::string& credential) {
    presented += (presented.empty() ? "" : " ") + credential;
  };
  const policies::Partner* partner = nullptr;
  const auto holds = [&](const policies::Partner* by_this) {
    if (partner != nullptr && partner != by_this)
      throw unauthenticated("the credentials presented name different partners");
    partner = by_this;
  };
  if (auto fingerprint = clientFingerprint(request)) {
    note("cert:" + fingerprint->substr(0, 16));
    const auto* by_certificate = registry.byCertificate(*fingerprint);
    if (by_certificate == nullptr)
      throw unauthenticated("the client certificate is not registered for any partner");
    holds(by_certificate);
  }
  if (request.has("Authorization")) {
    const std::string& value = request.get("Authorization");
    if (Poco::icompare(value.substr(0, 7), "Bearer ") != 0)
      throw unauthenticated("only Bearer tokens are accepted in Authorization");
    const auto hash = crypto::sha256Hex(Poco::trim(value.substr(7)));
    note("token:" + hash.substr(0, 16));
    const auto* by_token = registry.byTokenHash(hash);
    if (by_token == nullptr) throw unauthenticated("the bearer token is not valid");
    holds(by_token);
  }
  if (sessions != nullptr) {
    Poco::Net::NameValueCollection cookies;
    request.getCookies(cookies);
    if (cookies.has(kSessionCookie)) {
      const auto session = sessions->find(cookies.get(kSessionCookie));
      if (!session) throw unauthenticated("the console session has ended; sign in again");
      note("session:" + session->id_hash.substr(0, 16));
      // A cookie goes with every request the browser makes to the gateway, whoever caused it:
      // a change needs the token that only the console's own page holds.
      const auto& method = request.getMethod();
      if (method != "GET" && method != "HEAD" &&
          !app::ConsoleSessions::csrfMatches(*session, request.get(kCsrfHeader, "")))
        throw unauthenticated("a console request that changes something needs the session's " +
                              std::string(kCsrfHeader));
      holds(session->partner);
    }
  }
  if (partner == nullptr)
    throw unauthenticated("present a registered client certificate or a bearer token");
  return {partner, presented};
}

}  // namespace passerelle::gateway
