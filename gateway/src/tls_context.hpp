#pragma once

#include <Poco/Net/Context.h>

#include "passerelle/gateway/server.hpp"

namespace passerelle::gateway {

// The server's TLS context: TLS 1.2 minimum, forward-secret AEAD ciphers, a client certificate
// requested and, when sent, verified against the client CA (a certificate the CA did not issue
// ends the handshake). Throws DomainError(configuration) naming the file that cannot be used.
Poco::Net::Context::Ptr makeServerContext(const TlsFiles& files);

}  // namespace passerelle::gateway
