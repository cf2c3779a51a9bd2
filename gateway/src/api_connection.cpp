#include "api_connection.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Timestamp.h>

namespace passerelle::gateway {

void LiveConnections::add(Poco::Net::StreamSocket* socket) {
  std::lock_guard lock(mutex_);
  sockets_.insert(socket);
  if (stopped_) {
    try {
      socket->shutdown();
    } catch (const Poco::Exception&) {  // already closed by the peer: nothing to end
    }
  }
}

void LiveConnections::remove(Poco::Net::StreamSocket* socket) {
  std::lock_guard lock(mutex_);
  sockets_.erase(socket);
}

void LiveConnections::stopAll() {
  std::lock_guard lock(mutex_);
  stopped_ = true;
  for (auto* socket : sockets_) {
    try {
      socket->shutdown();
    } catch (const Poco::Exception&) {  // already closed by the peer: nothing to end
    }
  }
}

bool LiveConnections::stopped() const {
  std::lock_guard lock(mutex_);
  return stopped_;
}

namespace {

class ApiConnection final : public Poco::Net::TCPServerConnection {
 public:
  ApiConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                Poco::Net::HTTPRequestHandlerFactory& handlers, const UnreadableMessage& unreadable,
                std::shared_ptr<LiveConnections> live)
      : Poco::Net::TCPServerConnection(socket),
        params_(std::move(params)),
        handlers_(handlers),
        unreadable_(unreadable),
        live_(std::move(live)) {}

  void run() override {
    live_->add(&socket());
    try {
      serve();
    } catch (...) {
      live_->remove(&socket());
      throw;  // a network failure: Poco's TCPServer logs it and drops the connection
    }
    live_->remove(&socket());
  }

 private:
  void serve() {
    Poco::Net::HTTPServerSession session(socket(), params_);
    while (!live_->stopped() && session.hasMoreRequests()) {
      std::string unreadable;
      try {
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params_);
        response.setDate(Poco::Timestamp());
        response.setVersion(request.getVersion());
        response.setKeepAlive(params_->getKeepAlive() && request.getKeepAlive() &&
                              session.canKeepAlive());
        response.set("Server", params_->getServerName());
        std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(
            handlers_.createRequestHandler(request));
        if (request.getExpectContinue()) response.sendContinue();
        handler->handleRequest(request, response);
        session.setKeepAlive(params_->getKeepAlive() && response.getKeepAlive() &&
                             session.canKeepAlive());
        continue;
      } catch (const Poco::Net::NoMessageException&) {
        return;  // the client closed, or the keep-alive timeout passed
      } catch (const Poco::Net::MessageException&) {
        unreadable = "the HTTP request line or headers are malformed";
      } catch (const Poco::SyntaxException&) {
        // Poco reads Content-Length while parsing the headers: "abc", "-", 2^66.
        unreadable = "Content-Length must be a whole number of bytes";
      } catch (const Poco::Net::NetException&) {
        return;  // the connection broke: nobody to answer
      } catch (const Poco::TimeoutException&) {
        return;  // the headers never came
      }
      // The message's framing cannot be trusted: answer once and close.
      session.setKeepAlive(false);
      try {
        Poco::Net::HTTPServerResponseImpl response(session);
        response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
        response.setKeepAlive(false);
        unreadable_(unreadable, response);
      } catch (const Poco::Exception&) {
        // the client is gone
      }
      return;
    }
  }

  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory& handlers_;
  const UnreadableMessage& unreadable_;
  std::shared_ptr<LiveConnections> live_;
};

}  // namespace

ApiConnectionFactory::ApiConnectionFactory(
    Poco::Net::HTTPServerParams::Ptr params,
    std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> handlers, UnreadableMessage unreadable,
    std::shared_ptr<LiveConnections> live)
    : params_(std::move(params)),
      handlers_(std::move(handlers)),
      unreadable_(std::move(unreadable)),
      live_(std::move(live)) {}

Poco::Net::TCPServerConnection* ApiConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
  return new ApiConnection(socket, params_, *handlers_, unreadable_, live_);
}

}  // namespace passerelle::gateway
