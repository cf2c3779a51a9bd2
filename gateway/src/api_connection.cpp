#include "api_connection.hpp"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/TCPServerConnection.h>
#include <Poco/Timestamp.h>

#include "passerelle/core/metrics.hpp"

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

// Ends the clock's cuts before the session closes the descriptor (declared after the session,
// it is destroyed before it).
class FinishOnExit {
 public:
  FinishOnExit(ConnectionGuard& guard, std::shared_ptr<ConnectionClock> clock)
      : guard_(guard), clock_(std::move(clock)) {}
  ~FinishOnExit() { guard_.release(clock_); }
  FinishOnExit(const FinishOnExit&) = delete;
  FinishOnExit& operator=(const FinishOnExit&) = delete;

 private:
  ConnectionGuard& guard_;
  std::shared_ptr<ConnectionClock> clock_;
};

std::chrono::seconds seconds(int n) {
  return std::chrono::seconds(n);
}

class ApiConnection final : public Poco::Net::TCPServerConnection {
 public:
  ApiConnection(const Poco::Net::StreamSocket& socket, Poco::Net::HTTPServerParams::Ptr params,
                Poco::Net::HTTPRequestHandlerFactory& handlers, const UnreadableMessage& unreadable,
                std::shared_ptr<LiveConnections> live, ConnectionGuard& guard)
      : Poco::Net::TCPServerConnection(socket),
        params_(std::move(params)),
        handlers_(handlers),
        unreadable_(unreadable),
        live_(std::move(live)),
        guard_(guard) {}

  void run() override {
    auto clock = guard_.take(socket());
    if (!clock) return;  // cut while it waited for a thread: closed unread
    live_->add(&socket());
    try {
      serve(std::move(clock));
    } catch (...) {
      live_->remove(&socket());
      throw;  // a network failure: Poco's TCPServer logs it and drops the connection
    }
    live_->remove(&socket());
  }

 private:
  void serve(std::shared_ptr<ConnectionClock> shared_clock) {
    Poco::Net::HTTPServerSession session(socket(), params_);
    auto& clock = *shared_clock;
    const FinishOnExit finishing(guard_, std::move(shared_clock));
    const CurrentClock current(&clock);
    const auto& limits = guard_.limits();
    try {
      // Explicitly, under the handshake's deadline: otherwise it happens inside the first read.
      Poco::Net::SecureStreamSocket(socket()).completeHandshake();
    } catch (const Poco::Exception&) {
      static auto& failures = core::metrics::registry()
                                  .counter("passerelle_tls_handshake_failures_total",
                                           "TLS handshakes that failed or were cut.")
                                  .with();
      failures.add();
      return;  // a failed or cut handshake: nobody to answer over TLS
    }
    clock.enter(ConnectionClock::Phase::idle, seconds(limits.keep_alive_timeout_seconds));
    while (!live_->stopped() && session.hasMoreRequests()) {
      std::string unreadable;
      clock.enter(ConnectionClock::Phase::headers, seconds(limits.header_timeout_seconds));
      try {
        Poco::Net::HTTPServerResponseImpl response(session);
        Poco::Net::HTTPServerRequestImpl request(response, session, params_);
        enterBodyPhase(clock, request);
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
                             session.canKeepAlive() && !clock.expired());
        clock.enter(ConnectionClock::Phase::idle, seconds(limits.keep_alive_timeout_seconds));
        continue;
      } catch (const Poco::Net::NoMessageException&) {
        return;  // the client closed, or the keep-alive timeout passed
      } catch (const Poco::Exception&) {
        // Headers cut at their deadline are a slow client, not a malformed message: closed
        // without an answer or an audit entry, as an idle connection is.
        if (clock.expired()) return;
        try {
          throw;
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

  // A request with a body must deliver it within body_timeout_seconds, plus the time its
  // Content-Length takes at min_body_bytes_per_second (a large import on a slow link); one
  // without a body goes straight to processing.
  void enterBodyPhase(ConnectionClock& clock, const Poco::Net::HTTPServerRequest& request) const {
    const auto& limits = guard_.limits();
    const auto length = request.hasContentLength() ? request.getContentLength64() : 0;
    if (length <= 0 && !request.getChunkedTransferEncoding()) {
      clock.enter(ConnectionClock::Phase::processing, {});
      return;
    }
    const auto rate = std::max<Poco::Int64>(1, limits.min_body_bytes_per_second);
    clock.enter(ConnectionClock::Phase::body,
                seconds(limits.body_timeout_seconds) +
                    std::chrono::seconds(std::max<Poco::Int64>(0, length) / rate));
  }

  Poco::Net::HTTPServerParams::Ptr params_;
  Poco::Net::HTTPRequestHandlerFactory& handlers_;
  const UnreadableMessage& unreadable_;
  std::shared_ptr<LiveConnections> live_;
  ConnectionGuard& guard_;
};

}  // namespace

ApiConnectionFactory::ApiConnectionFactory(
    Poco::Net::HTTPServerParams::Ptr params,
    std::unique_ptr<Poco::Net::HTTPRequestHandlerFactory> handlers, UnreadableMessage unreadable,
    std::shared_ptr<LiveConnections> live, ConnectionGuard& guard)
    : params_(std::move(params)),
      handlers_(std::move(handlers)),
      unreadable_(std::move(unreadable)),
      live_(std::move(live)),
      guard_(guard) {}

Poco::Net::TCPServerConnection* ApiConnectionFactory::createConnection(
    const Poco::Net::StreamSocket& socket) {
  return new ApiConnection(socket, params_, *handlers_, unreadable_, live_, guard_);
}

}  // namespace passerelle::gateway
