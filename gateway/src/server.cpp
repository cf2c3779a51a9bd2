#include "passerelle/gateway/server.hpp"

#include <Poco/Logger.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServer.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <chrono>

#include "api_exchange.hpp"
#include "authenticator.hpp"
#include "dossier_routes.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/gateway/gateway.hpp"
#include "passerelle/gateway/problem.hpp"
#include "router.hpp"
#include "tls_context.hpp"

namespace passerelle::gateway {

namespace {

using nlohmann::json;

// A client may pass its own X-Request-Id for correlation if it is short and plain.
core::RequestId requestIdFor(const Poco::Net::HTTPServerRequest& request) {
  const std::string given = request.get("X-Request-Id", "");
  const bool plain = !given.empty() && given.size() <= 64 &&
                     given.find_first_not_of(
                         "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                         "0123456789-_") == std::string::npos;
  return core::RequestId(plain ? given : crypto::toHex(crypto::randomBytes(8)));
}

void send(Poco::Net::HTTPServerResponse& response, const ApiRequest& request, int status,
          const std::string& content_type, const std::string& body) {
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.set("X-Request-Id", request.id().str());
  response.set("Cache-Control", "no-store");
  if (!request.bodyConsumed()) response.setKeepAlive(false);  // unread body bytes follow
  if (!body.empty()) response.setContentType(content_type);
  response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response.send() << body;
}

// Serves one request: authenticate, route, check the purpose, call the handler, and map every
// error to its problem type. Never lets an exception escape to Poco.
class ApiRequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  ApiRequestHandler(const Router& router, const policies::PartnerRegistry& registry,
                    const Limits& limits)
      : router_(router), registry_(registry), limits_(limits) {}

  void handleRequest(Poco::Net::HTTPServerRequest& http,
                     Poco::Net::HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    ApiRequest request(http, limits_, requestIdFor(http));
    std::string route_name = http.getMethod() + " (no route)";
    int status = 500;
    try {
      ApiResponse result = serve(request, route_name);
      status = result.status;
      for (const auto& [name, value] : result.headers) response.set(name, value);
      send(response, request, status, "application/json; charset=utf-8",
           result.body ? result.body->dump() : std::string());
    } catch (const ProblemException& e) {
      status = reply(response, request, e.problem());
    } catch (const core::DomainError& e) {
      status = reply(response, request, problemOf(e));
    } catch (const Poco::TimeoutException&) {
      status = reply(response, request,
                     {ProblemType::request_timeout, "the request body did not arrive in time", {}});
    } catch (const Poco::Net::MessageException&) {
      status = reply(response, request,
                     {ProblemType::malformed_request, "the HTTP message is malformed", {}});
    } catch (const nlohmann::json::exception& e) {
      // A JSON library message quotes the text it read, which can be personal data: its id only.
      logger().error("request %s: internal JSON error %d", request.id().str(), e.id);
      status = reply(response, request,
                     {ProblemType::internal_error,
                      "the gateway could not complete the request; quote the instance to support",
                      {}});
    } catch (const std::exception& e) {
      // Library messages (SQL, TLS) carry no values, since every value is bound; they go to the
      // operator's log, not to the client.
      logger().error("request %s: internal error (%s)", request.id().str(), std::string(e.what()));
      status = reply(response, request,
                     {ProblemType::internal_error,
                      "the gateway could not complete the request; quote the instance to support",
                      {}});
    }
    const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count() /
                    1000.0;
    // Route patterns only: paths and queries can carry identifiers.
    logger().information(
        "%s %s %d %.1fms partner=%s", request.id().str(), route_name, status, ms,
        request.caller().partner ? request.caller().partner->id.str() : std::string("-"));
  }

 private:
  static Poco::Logger& logger() { return Poco::Logger::get("passerelle.http"); }

  ApiResponse serve(ApiRequest& request, std::string& route_name) {
    auto& http = request.http();
    const auto match = router_.match(http.getMethod(), Poco::URI(http.getURI()).getPath());
    if (match.route == nullptr) {
      // Unknown paths are refused before authentication only once the caller is known, so that
      // the API's shape is not probed anonymously.
      request.setCaller(authenticate(http, registry_));
      if (match.path_known)
        throw ProblemException(
            {ProblemType::method_not_allowed, "this resource does not accept that method", {}});
      throw ProblemException({ProblemType::not_found, "no such endpoint", {}});
    }
    const Route& route = *match.route;
    route_name = route.method + " " + route.pattern;
    if (route.authenticated) request.setCaller(authenticate(http, registry_));
    if (route.personal_data) request.requirePurpose();
    request.setPathParams(match.params);
    return route.handler(request);
  }

  static int reply(Poco::Net::HTTPServerResponse& response, const ApiRequest& request,
                   const Problem& problem) {
    const int status = httpStatus(problem.type);
    try {
      if (problem.type == ProblemType::unauthenticated)
        response.set("WWW-Authenticate", "Bearer realm=\"passerelle\"");
      send(response, request, status, "application/problem+json",
           problemBody(problem, request.id().str()).dump());
    } catch (const std::exception& e) {
      logger().warning("request %s: could not send the error response (%s)", request.id().str(),
                       std::string(e.what()));
    }
    return status;
  }

  const Router& router_;
  const policies::PartnerRegistry& registry_;
  const Limits& limits_;
};

class ApiHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  ApiHandlerFactory(const Router& router, const policies::PartnerRegistry& registry,
                    const Limits& limits)
      : router_(router), registry_(registry), limits_(limits) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new ApiRequestHandler(router_, registry_, limits_);
  }

 private:
  const Router& router_;
  const policies::PartnerRegistry& registry_;
  const Limits& limits_;
};

}  // namespace

struct GatewayServer::Impl {
  ServerOptions options;
  const policies::PartnerRegistry& registry;
  Router router;
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::HTTPServer> server;
  std::uint16_t bound_port = 0;

  Impl(const ServerOptions& o, const policies::PartnerRegistry& r)
      : options(o), registry(r), pool(2, std::max(2, o.limits.max_threads)) {}
};

GatewayServer::GatewayServer(const ServerOptions& options, Services& services)
    : impl_(std::make_unique<Impl>(options, services.registry)) {
  addDossierRoutes(impl_->router, services);
  addAccessRoutes(impl_->router, services);
}

GatewayServer::~GatewayServer() {
  stop();
}

void GatewayServer::start() {
  auto context = makeServerContext(impl_->options.tls);
  const auto& limits = impl_->options.limits;
  Poco::Net::SecureServerSocket socket(context);
  try {
    socket.bind(Poco::Net::SocketAddress(impl_->options.host, impl_->options.port), true);
    socket.listen(128);
  } catch (const Poco::Exception& e) {
    throw std::runtime_error("cannot listen on " + impl_->options.host + ":" +
                             std::to_string(impl_->options.port) + ": " + e.displayText());
  }
  impl_->bound_port = socket.address().port();

  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(std::max(2, limits.max_threads));
  params->setMaxQueued(limits.max_queued);
  params->setTimeout(Poco::Timespan(limits.request_timeout_seconds, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(limits.keep_alive_timeout_seconds, 0));
  params->setMaxKeepAliveRequests(10000);
  params->setServerName("passerelle");

  impl_->server = std::make_unique<Poco::Net::HTTPServer>(
      new ApiHandlerFactory(impl_->router, impl_->registry, impl_->options.limits), impl_->pool,
      socket, params);
  impl_->server->start();
}

void GatewayServer::stop() {
  if (!impl_->server) return;
  impl_->server->stopAll(true);
  impl_->server.reset();
  impl_->pool.joinAll();
}

std::uint16_t GatewayServer::port() const {
  return impl_->bound_port;
}

}  // namespace passerelle::gateway
