// An HTTP request as a client sends it (issue 21, §5): request line, headers and body through
// Poco's message parser, then the gateway's own checks in the order a route runs them: the
// message (target decoding, Content-Length, repeated headers), the query string, the
// credentials (Authorization, a certificate that is not there), X-Purpose, the path's ids and
// section names, X-Request-Id, If-Match, and the JSON body within its limits. Every refusal is
// a ProblemException or a DomainError (a 4xx); anything else escaping is a bug (a 500).
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>

#include <cstddef>
#include <cstdint>
#include <sstream>

#include "api_exchange.hpp"
#include "authenticator.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/gateway/problem.hpp"
#include "service_harness.hpp"

using namespace passerelle;

namespace {

// A request read from bytes instead of a socket: the head parsed by Poco as the server parses
// it, the rest of the bytes as the body.
class BytesRequest final : public Poco::Net::HTTPServerRequest {
 public:
  explicit BytesRequest(const std::string& bytes) : in_(bytes) { read(in_); }
  std::istream& stream() override { return in_; }
  const Poco::Net::SocketAddress& clientAddress() const override { return address_; }
  const Poco::Net::SocketAddress& serverAddress() const override { return address_; }
  const Poco::Net::HTTPServerParams& serverParams() const override { return *params_; }
  Poco::Net::HTTPServerResponse& response() const override {
    throw Poco::NotImplementedException("no response in the fuzzer");
  }
  bool secure() const override { return true; }

 private:
  std::istringstream in_;
  Poco::Net::SocketAddress address_{"127.0.0.1", 443};
  Poco::Net::HTTPServerParams::Ptr params_ = new Poco::Net::HTTPServerParams;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static testing::ServiceHarness harness;
  // The console's cookie is a credential too: fuzzed with the rest of the headers.
  static app::ConsoleSessions sessions(*harness.stores.console_sessions, harness.registry,
                                       harness.guard);
  static const gateway::Limits limits = [] {
    gateway::Limits l;
    l.max_body_bytes = 64 * 1024;
    return l;
  }();
  std::unique_ptr<BytesRequest> http;
  try {
    http = std::make_unique<BytesRequest>(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const Poco::Exception&) {
    return 0;  // what Poco cannot parse gets the gateway's 400 (api_connection.cpp)
  }
  gateway::ApiRequest request(*http, limits, core::RequestId("fuzz"));
  try {
    request.checkMessage();
    for (const auto& [name, value] : request.query()) (void)name.size(), (void)value.size();
    try {
      (void)gateway::authenticate(*http, harness.registry, &sessions,
                                  request.presentedCredential());
    } catch (const gateway::ProblemException&) {
      // 401: the request goes no further in the gateway, but the rest is still worth reading
    }
    std::istringstream segments(request.path());
    for (std::string segment; std::getline(segments, segment, '/');) {
      (void)core::DossierId::parse(segment);
      (void)core::parseSection(segment);
    }
    request.requirePurpose();
    if (http->hasContentLength() || http->getChunkedTransferEncoding()) (void)request.jsonBody();
  } catch (const gateway::ProblemException&) {
  } catch (const core::DomainError&) {
  }
  return 0;
}
