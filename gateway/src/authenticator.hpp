#pragma once

#include <Poco/Net/HTTPServerRequest.h>

#include <string>

#include "passerelle/app/console_sessions.hpp"
#include "passerelle/policies/partner_registry.hpp"

namespace passerelle::gateway {

// Who made a request, and with which credential.
struct Caller {
  const policies::Partner* partner = nullptr;
  // "cert:<sha256 prefix>", "token:<sha256 prefix>" or "session:<id hash prefix>", for the logs
  std::string credential;
};

// The console's session cookie (docs/console.md).
inline constexpr const char* kSessionCookie = "passerelle_console";
// The header a session's state-changing requests carry its CSRF token in.
inline constexpr const char* kCsrfHeader = "X-CSRF-Token";

// Identifies the partner behind a request: by the SHA-256 fingerprint of its TLS client
// certificate (already verified against the client CA during the handshake), by a bearer
// token, or, where `sessions` is given, by a console session's cookie, whose requests other
// than GET and HEAD must carry the session's CSRF token. Every credential presented must hold
// and name the same partner; throws ProblemException(unauthenticated) otherwise. `presented`
// receives the credentials shown (as in Caller::credential), known or not, so that a refusal
// is logged with them.
Caller authenticate(Poco::Net::HTTPServerRequest& request,
                    const policies::PartnerRegistry& registry, const app::ConsoleSessions* sessions,
                    std::string& presented);

}  // namespace passerelle::gateway
