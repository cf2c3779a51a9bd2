#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/URI.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authenticator.hpp"
#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/dossiers/dossier_service.hpp"
#include "passerelle/gateway/limits.hpp"

namespace passerelle::gateway {

// What a handler tells the audit log about its request, beyond what the server knows (caller,
// purpose, status): app::AuditNote.
using app::AuditNote;

// One API request as the handlers see it: the authenticated caller, the declared purpose, the
// path parameters, and the body read within the limits. Lives for one request, one thread.
class ApiRequest {
 public:
  // Never throws for what the client sent: checkMessage() judges it.
  ApiRequest(Poco::Net::HTTPServerRequest& http, const Limits& limits, core::RequestId id);

  // Checks what every route relies on before anything else reads the message: a request target
  // that decodes (percent-encoding), a Content-Length that is one whole number of bytes and not
  // beside a chunked body, and at most one of each header the gateway reads. ProblemException
  // (400 malformed-request) otherwise, naming the header or the part, never echoing it; the
  // connection is then closed, since its framing cannot be trusted.
  void checkMessage();
  // The decoded path, once checkMessage() has accepted it.
  const std::string& path() const { return path_; }

  Poco::Net::HTTPServerRequest& http() { return http_; }
  const core::RequestId& id() const { return id_; }
  const Limits& limits() const { return limits_; }

  const Caller& caller() const { return caller_; }
  void setCaller(Caller caller) { caller_ = std::move(caller); }
  // The credential the client showed, recognised or not (for the audit log).
  std::string& presentedCredential() { return presented_credential_; }

  // Reads X-Purpose; ProblemException if it is missing or not in the closed list.
  void requirePurpose();
  // The declared purpose, once requirePurpose() has accepted it.
  const std::optional<core::Purpose>& purpose() const { return purpose_; }

  void setPathParams(std::map<std::string, std::string> params) { params_ = std::move(params); }
  const std::string& pathParam(const std::string& name) const { return params_.at(name); }

  // Query parameters, decoded, in order.
  const Poco::URI::QueryParameters& query() const { return query_; }

  // Reads and parses the JSON body: 415 unless Content-Type is JSON, 413 past the body limit
  // (without reading further), 400 if malformed.
  nlohmann::json jsonBody();

  // Writes the body to `file` as it arrives (an import), up to `limit` bytes: 413 past it (the
  // partial file removed), 400 if shorter than its Content-Length, 408 on a stalled socket.
  void spoolBody(const std::filesystem::path& file, std::size_t limit);

  AuditNote& audit() { return audit_; }
  const AuditNote& audit() const { return audit_; }

  // Whether the body was read to its end; if not, the connection cannot be reused.
  bool bodyConsumed() const { return body_consumed_; }

 private:
  void drainBody();

  Poco::Net::HTTPServerRequest& http_;
  const Limits& limits_;
  core::RequestId id_;
  Caller caller_;
  std::string presented_credential_;
  std::optional<core::Purpose> purpose_;
  std::map<std::string, std::string> params_;
  Poco::URI::QueryParameters query_;
  std::string path_;
  bool body_consumed_ = false;
  AuditNote audit_;
};

// What a handler answers: a status, JSON (or nothing), and extra headers. `text` replaces the
// JSON body when set, with its `content_type` (CSV exports).
struct ApiResponse {
  ApiResponse(int s = 200, std::optional<nlohmann::json> b = std::nullopt,
              std::map<std::string, std::string> h = {})
      : status(s), body(std::move(b)), headers(std::move(h)) {}

  int status = 200;
  std::optional<nlohmann::json> body;
  std::map<std::string, std::string> headers;
  std::optional<std::string> text;
  std::string content_type = "application/json; charset=utf-8";
};

}  // namespace passerelle::gateway
