#include "passerelle/gateway/server.hpp"

#include <Poco/Logger.h>
#include <Poco/Message.h>
#include <Poco/Net/HTTPRequestHandler.h>
#include <Poco/Net/HTTPRequestHandlerFactory.h>
#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SecureServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>
#include <Poco/URI.h>

#include <chrono>
#include <cstdio>

#include "api_connection.hpp"
#include "api_exchange.hpp"
#include "authenticator.hpp"
#include "passerelle/app/application.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/metrics.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/gateway/problem.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "router.hpp"
#include "routes.hpp"
#include "tls_context.hpp"

namespace passerelle::gateway {

namespace {

// What the request handler itself calls (authentication, the audit entry, the 410 of a merged
// dossier); the routes have their own (routes.hpp).
struct RequestServices {
  const policies::PartnerRegistry& registry;
  app::AuditRecorder& audit;
  dossiers::ReconciliationService& reconciliation;
  const app::ConsoleSessions& sessions;
};

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

Poco::Logger& logger() {
  return Poco::Logger::get("passerelle.http");
}

// Requests by route pattern and status class, and their latency (docs/operations.md, "Metrics").
void countRequest(const std::string& route, int status, double seconds) {
  static auto& requests = core::metrics::registry().counter(
      "passerelle_http_requests_total", "API requests by route pattern and status class.",
      {"route", "status_class"});
  static auto& latency = core::metrics::registry().histogram(
      "passerelle_http_request_duration_seconds",
      "Time from a request's headers to its answer sent, by route pattern.",
      core::metrics::latencyBuckets(), {"route"});
  requests.with({route, std::to_string(status / 100) + "xx"}).add();
  latency.with({route}).observe(seconds);
}

Problem internalProblem() {
  return {ProblemType::internal_error,
          "the gateway could not complete the request; quote the instance to support",
          {}};
}

// Serves one request: authenticate, route, check the purpose, call the handler, map every
// error to its problem type, and record the request in the audit log before answering. Never
// lets an exception escape to Poco.
class ApiRequestHandler final : public Poco::Net::HTTPRequestHandler {
 public:
  ApiRequestHandler(const Router& router, RequestServices& services, const Limits& limits)
      : router_(router), services_(services), limits_(limits) {}

  void handleRequest(Poco::Net::HTTPServerRequest& http,
                     Poco::Net::HTTPServerResponse& response) override {
    const auto started = std::chrono::steady_clock::now();
    ApiRequest request(http, limits_, requestIdFor(http));
    // A route pattern, never the path: the method too is the client's when no route matched.
    std::string route_name = "(no route)";
    std::optional<audit::AuditAction> action = audit::AuditAction::unknown_endpoint;
    ApiResponse result;
    std::optional<Problem> problem;
    // The request's writes carry their audit outbox rows (store/pending_audit.hpp).
    std::optional<store::PendingAuditScope> writes;
    try {
      result = serve(request, route_name, action, writes);
    } catch (...) {
      problem = problemOfCurrentException(request);
    }
    int status = problem ? httpStatus(problem->type) : result.status;
    const bool committed = writes && writes->committed();
    if (committed && problem)
      logger().error("request %s: answered %d after a change was committed", request.id().str(),
                     status);
    if (action) {
      try {
        // Once a change is stored its entry is owed whatever the log says now, and the answer
        // is not an error, since a client told to retry would write twice: the entry waits with
        // the change. Otherwise it must be durable before the answer.
        const auto record = [&](audit::AuditEvent e, std::vector<std::string> claims) {
          return committed ? services_.audit.recordCommitted(std::move(e), std::move(claims))
                           : std::optional(services_.audit.append(std::move(e)));
        };
        const auto event = eventOf(request, *action, status, problem, committed);
        const auto appended =
            record(event, committed ? writes->claim() : std::vector<std::string>{});
        response.set("X-Audit-Entry", appended ? std::to_string(appended->index) : "pending");
        for (const auto& other : request.audit().also_persons) {
          auto copy = event;
          copy.person = services_.audit.person(other);
          record(std::move(copy), {});
        }
      } catch (const audit::AuditUnavailable&) {
        // Nothing unrecorded leaves the gateway; an error answer carries no personal data.
        if (!problem) {
          problem = Problem{ProblemType::audit_unavailable,
                            "the access could not be recorded in the audit log; nothing was "
                            "returned, retry later",
                            {}};
          status = httpStatus(problem->type);
        }
      }
    }
    try {
      if (problem) {
        if (problem->type == ProblemType::unauthenticated)
          response.set("WWW-Authenticate", "Bearer realm=\"passerelle\"");
        // Replacing invalid UTF-8 rather than throwing: an answer is always sent.
        send(response, request, status, "application/problem+json",
             problemBody(*problem, request.id().str())
                 .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
      } else {
        for (const auto& [name, value] : result.headers) response.set(name, value);
        send(response, request, status, result.content_type,
             result.text ? *result.text
             : result.body
                 ? result.body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                 : std::string());
      }
    } catch (const std::exception& e) {
      logger().warning("request %s: could not send the response (%s)", request.id().str(),
                       std::string(e.what()));
    }
    const auto ms = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count() /
                    1000.0;
    countRequest(route_name, status, ms / 1000.0);
    // Route patterns only: paths and queries can carry identifiers. The fields also travel as
    // the message's parameters, which the JSON log format writes as fields of their own.
    if (logger().information()) {
      const auto partner =
          request.caller().partner ? request.caller().partner->id.str() : std::string("-");
      char duration[32];
      std::snprintf(duration, sizeof duration, "%.1f", ms);
      Poco::Message line(logger().name(),
                         request.id().str() + " " + route_name + " " + std::to_string(status) +
                             " " + duration + "ms partner=" + partner,
                         Poco::Message::PRIO_INFORMATION);
      line.set("request_id", request.id().str());
      line.set("route", route_name);
      line.set("status", std::to_string(status));
      line.set("duration_ms", duration);
      line.set("partner", partner);
      logger().log(line);
    }
  }

 private:
  ApiResponse serve(ApiRequest& request, std::string& route_name,
                    std::optional<audit::AuditAction>& action,
                    std::optional<store::PendingAuditScope>& writes) {
    auto& http = request.http();
    request.checkMessage();
    const auto match = router_.match(http.getMethod(), request.path());
    if (match.route == nullptr) {
      // An unknown path is answered 404 or 405 only to a caller who authenticates; anyone else
      // gets 401, so that the API's shape cannot be probed anonymously.
      request.setCaller(authenticate(http, services_.registry, &services_.sessions,
                                     request.presentedCredential()));
      if (match.path_known)
        throw ProblemException(
            {ProblemType::method_not_allowed, "this resource does not accept that method", {}});
      throw ProblemException({ProblemType::not_found, "no such endpoint", {}});
    }
    const Route& route = *match.route;
    route_name = route.method + " " + route.pattern;
    action = route.action;
    request.setPathParams(match.params);
    // The dossier aimed at is logged even if authentication fails (a probe is worth knowing).
    if (const auto it = match.params.find("id"); it != match.params.end())
      request.audit().person = core::DossierId::parse(it->second);
    if (route.authenticated)
      request.setCaller(authenticate(http, services_.registry,
                                     route.by_session ? &services_.sessions : nullptr,
                                     request.presentedCredential()));
    if (route.personal_data) request.requirePurpose();
    if (route.action)
      writes.emplace([this, &request, route_action = *route.action] {
        return audit::pendingContext(eventOf(request, route_action, 0, std::nullopt, false));
      });
    try {
      return route.handler(request);
    } catch (const core::DomainError& e) {
      // A dossier merged by a reconciliation decision answers 410 with the one it became, to
      // whoever may see that one; to anyone else it does not exist.
      const auto id = match.params.find("id");
      if (e.kind() != core::ErrorKind::not_found || !route.pattern.starts_with("/v1/dossiers/") ||
          id == match.params.end() || !request.caller().partner)
        throw;
      const auto dossier = core::DossierId::parse(id->second);
      const auto into =
          dossier ? services_.reconciliation.mergedInto(callerOf(request), *dossier) : std::nullopt;
      if (!into) throw;
      throw core::DomainError(core::ErrorKind::gone, "this dossier was merged into another")
          .with("merged_into", into->str());
    }
  }

  // The problem the exception being handled stands for.
  static Problem problemOfCurrentException(ApiRequest& request) {
    try {
      throw;
    } catch (const ProblemException& e) {
      return e.problem();
    } catch (const audit::AuditUnavailable&) {
      return {ProblemType::audit_unavailable,
              "the audit log could not record the request; retry later",
              {}};
    } catch (const core::DomainError& e) {
      if (e.kind() == core::ErrorKind::configuration) {
        // The operator's to fix, and theirs to read: the client learns only that it failed.
        logger().error("request %s: configuration error (%s)", request.id().str(),
                       std::string(e.what()));
        return internalProblem();
      }
      if (e.kind() == core::ErrorKind::forbidden)
        for (const auto& f : e.fieldErrors())
          request.audit().withheld.push_back({f.pointer, f.rule});
      for (const auto& [key, value] : e.members()) request.audit().details[key] = value;
      return problemOf(e);
    } catch (const Poco::TimeoutException&) {
      return {ProblemType::request_timeout, "the request body did not arrive in time", {}};
    } catch (const Poco::Net::MessageException&) {
      return {ProblemType::malformed_request, "the HTTP message is malformed", {}};
    } catch (const nlohmann::json::exception& e) {
      // A JSON library message quotes the text it read, which can be personal data: its id only.
      logger().error("request %s: internal JSON error %d", request.id().str(), e.id);
      return internalProblem();
    } catch (const std::exception& e) {
      // Library messages (SQL, TLS) carry no values, since every value is bound; they go to the
      // operator's log, not to the client.
      logger().error("request %s: internal error (%s)", request.id().str(), std::string(e.what()));
      return internalProblem();
    } catch (...) {
      logger().error("request %s: internal error (not a std::exception)", request.id().str());
      return internalProblem();
    }
  }

  // The request's entry: who asked, what the handler noted, the answer. `committed`: a change
  // of the request is stored, so the entry says what was written even if the answer is an error.
  audit::AuditEvent eventOf(ApiRequest& request, audit::AuditAction route_action, int status,
                            const std::optional<Problem>& problem, bool committed) const {
    std::optional<audit::AuditDecision> refusal;
    if (problem)
      refusal = app::describe(problem->type).decision;
    else if (status >= 400)
      refusal = audit::AuditDecision::error;
    const app::Actor actor{
        request.caller().partner ? std::optional(request.caller().partner->id) : std::nullopt,
        request.presentedCredential(), request.purpose(), request.id()};
    return services_.audit.entry(actor, route_action, request.audit(), status, refusal, committed);
  }

  const Router& router_;
  RequestServices& services_;
  const Limits& limits_;
};

// A message Poco could not parse: no route, no caller, nothing read past the headers. The
// answer and the audit entry say only that it was malformed.
void answerUnreadable(RequestServices& services, const std::string& reason,
                      Poco::Net::HTTPServerResponse& response) {
  const core::RequestId id(crypto::toHex(crypto::randomBytes(8)));
  const Problem problem{ProblemType::malformed_request, reason, {}};
  const int status = httpStatus(problem.type);
  app::AuditNote note;
  note.details["malformed"] = "http";
  const auto event = services.audit.entry({std::nullopt, "", std::nullopt, id},
                                          audit::AuditAction::unknown_endpoint, note, status,
                                          app::describe(problem.type).decision, false);
  try {
    response.set("X-Audit-Entry", std::to_string(services.audit.append(event).index));
  } catch (const audit::AuditUnavailable&) {
    // Nothing was read, nothing is returned: the refusal stands without its entry.
  }
  const auto body = problemBody(problem, id.str()).dump();
  response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
  response.set("X-Request-Id", id.str());
  response.set("Cache-Control", "no-store");
  response.setContentType("application/problem+json");
  response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  response.send() << body;
  logger().information("%s (unreadable message) %d partner=-", id.str(), status);
  countRequest("(unreadable message)", status, 0);
}

class ApiHandlerFactory final : public Poco::Net::HTTPRequestHandlerFactory {
 public:
  ApiHandlerFactory(const Router& router, RequestServices& services, const Limits& limits)
      : router_(router), services_(services), limits_(limits) {}

  Poco::Net::HTTPRequestHandler* createRequestHandler(
      const Poco::Net::HTTPServerRequest&) override {
    return new ApiRequestHandler(router_, services_, limits_);
  }

 private:
  const Router& router_;
  RequestServices& services_;
  const Limits& limits_;
};

}  // namespace

struct GatewayServer::Impl {
  ServerOptions options;
  RequestServices services;
  Router router;
  Poco::ThreadPool pool;
  std::unique_ptr<Poco::Net::TCPServer> server;
  std::shared_ptr<LiveConnections> live;
  std::unique_ptr<ConnectionGuard> guard;
  std::uint16_t bound_port = 0;

  Impl(const ServerOptions& o, app::Application& app)
      : options(o),
        services{app.registry(), app.audit(), app.reconciliation(), app.consoleSessions()},
        pool(2, std::max(2, o.limits.max_threads)) {}
};

GatewayServer::GatewayServer(const ServerOptions& options, app::Application& app)
    : impl_(std::make_unique<Impl>(options, app)) {
  auto& router = impl_->router;
  addDossierRoutes(router, app.dossiers(), app.readiness());
  addAccessRoutes(router, app.guard(), app.relationships(), app.consents(),
                  [&app] { return app.reloadPolicy(); });
  addAuditRoutes(router, app.guard(), app.registry(), app.auditLog(), app.audit());
  addAuditIntegrityRoutes(router, app.guard(), app.registry(), app.auditLog(), app.logIntegrity());
  addReconciliationRoutes(router, app.reconciliation());
  addIndicatorRoutes(router, app.guard(), app.indicators());
  addImportRoutes(router, app.dossiers(), app.imports(), app.importSpool());
  addFeedRoutes(router, app.guard(), app.dossiers(), app.webhookOutbox());
  addExportRoutes(router, app.guard(), app.exportOrders(), app.exportJobs());
  addApiDescriptionRoutes(router);
  addConsoleRoutes(router, app.guard(), app.consoleSessions());
  addConsoleAssetRoutes(router);
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
    socket.listen(1024);  // a burst of connections is refused by the guard, not the kernel
  } catch (const Poco::Exception& e) {
    throw core::DomainError(core::ErrorKind::configuration,
                            "cannot listen on " + impl_->options.host + ":" +
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

  impl_->live = std::make_shared<LiveConnections>();
  impl_->guard = std::make_unique<ConnectionGuard>(limits);
  auto& services = impl_->services;
  impl_->server = std::make_unique<Poco::Net::TCPServer>(
      new ApiConnectionFactory(
          params,
          std::make_unique<ApiHandlerFactory>(impl_->router, services, impl_->options.limits),
          [&services](const std::string& reason, Poco::Net::HTTPServerResponse& response) {
            answerUnreadable(services, reason, response);
          },
          impl_->live, *impl_->guard),
      impl_->pool, socket, params);
  // Admission before queueing: a connection over a cap costs no handshake and no thread.
  impl_->server->setConnectionFilter(impl_->guard->filter());
  impl_->server->start();
}

void GatewayServer::stop() {
  if (!impl_->server) return;
  impl_->server->stop();
  impl_->live->stopAll();
  impl_->server.reset();
  impl_->pool.joinAll();
  impl_->guard.reset();
}

std::vector<std::pair<std::string, std::string>> GatewayServer::endpoints() const {
  return impl_->router.endpoints();
}

std::uint16_t GatewayServer::port() const {
  return impl_->bound_port;
}

}  // namespace passerelle::gateway
