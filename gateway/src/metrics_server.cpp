#include "passerelle/gateway/metrics_server.hpp"

#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/ThreadPool.h>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/metrics.hpp"

namespace passerelle::gateway {

namespace {

class MetricsHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  void handleRequest(Poco::Net::HTTPServerRequest& request,
                     Poco::Net::HTTPServerResponse& response) override {
    using Status = Poco::Net::HTTPResponse::HTTPStatus;
    response.set("Cache-Control", "no-store");
    response.setKeepAlive(false);
    std::string body;
    if (request.getURI() != "/metrics") {
      response.setStatusAndReason(Status::HTTP_NOT_FOUND);
      body = "only /metrics is served here\n";
    } else if (request.getMethod() != "GET" && request.getMethod() != "HEAD") {
      response.setStatusAndReason(Status::HTTP_METHOD_NOT_ALLOWED);
      response.set("Allow", "GET, HEAD");
      body = "GET /metrics only\n";
    } else {
      body = core::metrics::registry().render();
      response.setContentType("text/plain; version=0.0.4; charset=utf-8");
    }
    if (response.getContentType() == Poco::Net::HTTPMessage::UNKNOWN_CONTENT_TYPE)
      response.setContentType("text/plain; charset=utf-8");
    response.setContentLength64(static_cast<Poco::Int64>(body.size()));
    if (request.getMethod() == "HEAD")
      response.send();
    else
      response.send() << body;
  }
};

class MetricsHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new MetricsHandler;
  }
};

}  // namespace

struct MetricsServer::Impl {
  MetricsListen listen;
  Poco::ThreadPool pool{1, 2};
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t bound_port = 0;
};

MetricsServer::MetricsServer(MetricsListen listen) : impl_(std::make_unique<Impl>()) {
  impl_->listen = std::move(listen);
}

MetricsServer::~MetricsServer() {
  stop();
}

void MetricsServer::start() {
  Poco::Net::ServerSocket socket;
  try {
    socket.bind(Poco::Net::SocketAddress(impl_->listen.host, impl_->listen.port), true);
    socket.listen(16);
  } catch (const Poco::Exception& e) {
    throw core::DomainError(core::ErrorKind::configuration,
                            "cannot listen for metrics on " + impl_->listen.host + ":" +
                                std::to_string(impl_->listen.port) + ": " + e.displayText());
  }
  impl_->bound_port = socket.address().port();
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(2);
  params->setMaxQueued(16);
  params->setTimeout(Poco::Timespan(5, 0));  // a stalled scraper holds a thread 5 s at most
  params->setKeepAlive(false);
  params->setServerName("passerelle-metrics");
  impl_->server = std::make_unique<Poco::Net::HTTPServer>(new MetricsHandlerFactory, impl_->pool,
                                                          socket, params);
  impl_->server->start();
}

void MetricsServer::stop() {
  if (!impl_->server) return;
  impl_->server->stop();
  impl_->server.reset();
  impl_->pool.joinAll();
}

std::uint16_t MetricsServer::port() const {
  return impl_->bound_port;
}

}  // namespace passerelle::gateway
