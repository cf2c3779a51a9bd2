#pragma once

#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/TCPServerConnectionFactory.h>

#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "connection_guard.hpp"

namespace passerelle::gateway {

// What the gateway does with a message it cannot even read (malformed request line or headers,
// a Content-Length that is not a number): the reason, in its own words, never the client's.
// It answers 400 problem+json and records the attempt in the audit log.
using UnreadableMessage =
    std::function<void(const std::string& reason, Poco::Net::HTTPServerResponse& response)>;

// The connections being served, so that stopping the server can end them (an idle keep-alive
// connection would otherwise hold its thread until its timeout). Thread-safe.
class LiveConnections {
 public:
  void add(Poco::Net::StreamSocket* socket);
  void remove(Poco::Net::StreamSocket* socket);
  // Shuts every connection down; later ones are shut as they arrive.
  void stopAll();
  bool stopped() const;

 private:
  mutable std::mutex mutex_;
  std::set<Poco::Net::StreamSocket*> sockets_;
  bool stopped_ = false;
};

// Serves HTTP/1.1 on one connection as Poco's HTTPServerConnection does, except that a message
// Poco refuses to parse gets the gateway's own answer (problem+json, X-Request-Id, audited)
// instead of a bare 400 or a dropped connection, and that each phase of the connection (TLS
// handshake, idle, headers, body) runs under the guard's deadline (connection_guard.hpp).
class ApiConnectionFactory final : public Poco::Net::TCPServerConnectionFactory {
 public:
  ApiConnectionFactory(Poco::Net::HTTPServerParams::Ptr params,
                       std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> handlers,
                       UnreadableMessage unreadable, std::shared_ptr<LiveConnections> live,
                       ConnectionGuard& guard);

  Poco::Net::TCPServerConnection* createConnection(const Poco::Net::StreamSocket& socket) override;

 private:
  Poco::Net::HTTPServerParams::Ptr params_;
  std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> handlers_;
  UnreadableMessage unreadable_;
  std::shared_ptr<LiveConnections> live_;
  ConnectionGuard& guard_;
};

}  // namespace passerelle::gateway
