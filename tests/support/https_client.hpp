#pragma once

#include <Poco/Net/Context.h>
#include <Poco/Net/NameValueCollection.h>

#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace passerelle::testing {

struct HttpResult {
  int status = 0;
  std::string body;
  std::map<std::string, std::string> headers;

  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A TLS client context that trusts `ca` and, if given, presents a client certificate.
Poco::Net::Context::Ptr clientContext(const std::filesystem::path& ca,
                                      const std::optional<std::filesystem::path>& cert = {},
                                      const std::optional<std::filesystem::path>& key = {});

// A plain HTTPS client for the tests: one connection per request, real TLS.
class HttpsClient {
 public:
  HttpsClient(std::uint16_t port, Poco::Net::Context::Ptr context)
      : port_(port), context_(std::move(context)) {}

  HttpResult request(const std::string& method, const std::string& path,
                     const std::map<std::string, std::string>& headers = {},
                     const std::optional<std::string>& body = std::nullopt) const;

 private:
  std::uint16_t port_;
  Poco::Net::Context::Ptr context_;
};

}  // namespace passerelle::testing
