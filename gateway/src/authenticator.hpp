#pragma once

#include <Poco/Net/HTTPServerRequest.h>

#include <string>

#include "passerelle/policies/partner_registry.hpp"

namespace passerelle::gateway {

// Who made a request, and with which credential.
struct Caller {
  const policies::Partner* partner = nullptr;
  std::string credential;  // "cert:<sha256 prefix>" or "token:<sha256 prefix>", for the logs
};

// Identifies the partner behind a request: by the SHA-256 fingerprint of its TLS client
// certificate (already verified against the client CA during the handshake), or else by a
// bearer token. Throws ProblemException(unauthenticated) otherwise; a certificate the registry
// does not know is refused even if a token is also sent. `presented` receives the credential
// shown (as in Caller::credential), known or not, so that a refusal is logged with it.
Caller authenticate(Poco::Net::HTTPServerRequest& request,
                    const policies::PartnerRegistry& registry, std::string& presented);

}  // namespace passerelle::gateway
