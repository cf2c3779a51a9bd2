#include "https_client.hpp"

#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/StreamCopier.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>

namespace passerelle::testing {

namespace {

// With PASSERELLE_API_RECORD set to a directory, every exchange is appended to a file of it (one
// JSON line each), for tests/openapi/validate.mjs to check against docs/openapi.json once the
// suite has run (the OpenApiResponsesConform test).
void record(const std::string& method, const std::string& path, const HttpResult& result) {
  static const char* dir = std::getenv("PASSERELLE_API_RECORD");
  if (dir == nullptr || *dir == '\0') return;
  static std::mutex mutex;
  nlohmann::json line{{"method", method}, {"path", path}, {"status", result.status}};
  line["headers"] = result.headers;
  constexpr std::size_t kLargest = 4 << 20;  // larger bodies are checked for their type only
  if (result.body.size() <= kLargest) line["body"] = result.body;
  std::lock_guard lock(mutex);
  std::ofstream(std::string(dir) + "/" + std::to_string(::getpid()) + ".ndjson", std::ios::app)
      << line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace

Poco::Net::Context::Ptr clientContext(const std::filesystem::path& ca,
                                      const std::optional<std::filesystem::path>& cert,
                                      const std::optional<std::filesystem::path>& key) {
  Poco::Net::Context::Params params;
  params.caLocation = ca.string();
  if (cert) params.certificateFile = cert->string();
  if (key) params.privateKeyFile = key->string();
  params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
  params.loadDefaultCAs = false;
  return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
}

HttpResult HttpsClient::request(const std::string& method, const std::string& path,
                                const std::map<std::string, std::string>& headers,
                                const std::optional<std::string>& body) const {
  Poco::Net::HTTPSClientSession session("127.0.0.1", port_, context_);
  session.setTimeout(Poco::Timespan(30, 0));
  Poco::Net::HTTPRequest request(method, path, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost("127.0.0.1", port_);
  bool has_type = false;
  for (const auto& [name, value] : headers) {
    request.set(name, value);
    has_type = has_type || name == "Content-Type";
  }
  if (body) {
    if (!has_type) request.setContentType("application/json");
    request.setContentLength64(static_cast<Poco::Int64>(body->size()));
    session.sendRequest(request) << *body;
  } else {
    session.sendRequest(request);
  }
  Poco::Net::HTTPResponse response;
  auto& in = session.receiveResponse(response);
  HttpResult result;
  result.status = response.getStatus();
  Poco::StreamCopier::copyToString(in, result.body);
  for (const auto& [name, value] : response) result.headers[name] = value;
  record(method, path, result);
  return result;
}

}  // namespace passerelle::testing
