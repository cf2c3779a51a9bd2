#pragma once

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/URI.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "authenticator.hpp"
#include "passerelle/core/ids.hpp"
#include "passerelle/core/purpose.hpp"
#include "passerelle/gateway/limits.hpp"

namespace passerelle::gateway {

// One API request as the handlers see it: the authenticated caller, the declared purpose, the
// path parameters, and the body read within the limits. Lives for one request, one thread.
class ApiRequest {
 public:
  ApiRequest(Poco::Net::HTTPServerRequest& http, const Limits& limits, core::RequestId id);

  Poco::Net::HTTPServerRequest& http() { return http_; }
  const core::RequestId& id() const { return id_; }

  const Caller& caller() const { return caller_; }
  void setCaller(Caller caller) { caller_ = std::move(caller); }

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

  // Whether the body was read to its end; if not, the connection cannot be reused.
  bool bodyConsumed() const { return body_consumed_; }

 private:
  void drainBody();

  Poco::Net::HTTPServerRequest& http_;
  const Limits& limits_;
  core::RequestId id_;
  Caller caller_;
  std::optional<core::Purpose> purpose_;
  std::map<std::string, std::string> params_;
  Poco::URI::QueryParameters query_;
  bool body_consumed_ = false;
};

// What a handler answers: a status, JSON (or nothing), and extra headers.
struct ApiResponse {
  int status = 200;
  std::optional<nlohmann::json> body;
  std::map<std::string, std::string> headers;
};

}  // namespace passerelle::gateway
