#pragma once

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/StreamCopier.h>
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "passerelle/app/webhook_dispatcher.hpp"
#include "passerelle/gateway/config.hpp"

namespace passerelle::testing {

// A partner's endpoint over TLS: checks each notification's signature, answers 204 while up and
// 503 while down, and remembers what it acknowledged.
class WebhookReceiver {
 public:
  WebhookReceiver(const gateway::TlsFiles& tls, std::string secret) : secret_(std::move(secret)) {
    Poco::Net::Context::Params params;
    params.certificateFile = tls.certificate.string();
    params.privateKeyFile = tls.private_key.string();
    params.verificationMode = Poco::Net::Context::VERIFY_NONE;
    Poco::Net::Context::Ptr context =
        new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
    Poco::Net::SecureServerSocket socket(Poco::Net::SocketAddress("127.0.0.1", 0), 64, context);
    port_ = socket.address().port();
    server_ = std::make_unique<Poco::Net::HTTPServer>(new Factory(*this), socket,
                                                      new Poco::Net::HTTPServerParams);
    server_->start();
  }
  ~WebhookReceiver() { server_->stopAll(true); }

  std::uint16_t port() const { return port_; }
  void setUp(bool up) { up_ = up; }
  std::size_t refused() const { return refused_; }
  std::size_t badSignatures() const { return bad_signatures_; }
  // Acknowledged deliveries: id -> how many times acknowledged, and the dossiers notified.
  std::map<std::int64_t, int> acknowledged() const {
    std::lock_guard lock(mutex_);
    return acked_;
  }
  std::multiset<std::string> dossiers() const {
    std::lock_guard lock(mutex_);
    return dossiers_;
  }
  // The notices received (a message with `notice` and no dossier).
  std::vector<nlohmann::json> notices() const {
    std::lock_guard lock(mutex_);
    return notices_;
  }

 private:
  struct Handler : Poco::Net::HTTPRequestHandler {
    explicit Handler(WebhookReceiver& r) : r_(r) {}
    void handleRequest(Poco::Net::HTTPServerRequest& request,
                       Poco::Net::HTTPServerResponse& response) override {
      std::string body;
      Poco::StreamCopier::copyToString(request.stream(), body);
      const auto expected =
          app::webhookSignature(r_.secret_, request.get("X-Passerelle-Timestamp", ""), body);
      if (request.get("X-Passerelle-Signature", "") != expected) {
        ++r_.bad_signatures_;
        response.setStatus(Poco::Net::HTTPResponse::HTTP_UNAUTHORIZED);
        response.send();
        return;
      }
      if (!r_.up_) {
        ++r_.refused_;
        response.setStatus(Poco::Net::HTTPResponse::HTTP_SERVICE_UNAVAILABLE);
        response.send();
        return;
      }
      const auto message = nlohmann::json::parse(body);
      EXPECT_EQ(message["delivery"].get<std::int64_t>(),
                std::stoll(request.get("X-Passerelle-Delivery", "0")));
      EXPECT_FALSE(message.contains("identite")) << "no personal data in a notification";
      {
        std::lock_guard lock(r_.mutex_);
        ++r_.acked_[message["delivery"].get<std::int64_t>()];
        if (message.contains("notice")) {
          EXPECT_FALSE(message.contains("dossier")) << "a notice names no dossier";
          r_.notices_.push_back(message["notice"]);
        } else {
          r_.dossiers_.insert(message["dossier"].get<std::string>());
        }
      }
      response.setStatus(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
      response.send();
    }
    WebhookReceiver& r_;
  };
  struct Factory : Poco::Net::HTTPRequestHandlerFactory {
    explicit Factory(WebhookReceiver& r) : r_(r) {}
    Poco::Net::HTTPRequestHandler* createRequestHandler(
        const Poco::Net::HTTPServerRequest&) override {
      return new Handler(r_);
    }
    WebhookReceiver& r_;
  };

  std::string secret_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Poco::Net::HTTPServer> server_;
  std::atomic<bool> up_{true};
  std::atomic<std::size_t> refused_{0}, bad_signatures_{0};
  mutable std::mutex mutex_;
  std::map<std::int64_t, int> acked_;
  std::multiset<std::string> dossiers_;
  std::vector<nlohmann::json> notices_;
};

}  // namespace passerelle::testing
