#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api_exchange.hpp"
#include "passerelle/audit/audit_entry.hpp"

namespace passerelle::gateway {

using Handler = std::function<ApiResponse(ApiRequest&)>;

// One endpoint: "GET" + "/v1/dossiers/{id}". `personal_data` endpoints require X-Purpose;
// `authenticated` ones a known partner; `action` is what the audit log records of a request
// (none: not logged, for liveness probes only).
struct Route {
  std::string method;
  std::string pattern;
  bool authenticated = true;
  bool personal_data = true;
  Handler handler;
  std::optional<audit::AuditAction> action;
  // Whether a console session's cookie authenticates it (not the sign-in itself: a session
  // never makes another).
  bool by_session = true;
};

// Matches request paths against route patterns, segment by segment. Built once, then read-only;
// safe to share across threads.
class Router {
 public:
  void add(Route route);

  struct Match {
    const Route* route = nullptr;  // set when method and path match
    bool path_known = false;       // the path matches some route (405 vs 404)
    std::map<std::string, std::string> params;
  };
  Match match(const std::string& method, const std::string& path) const;

  // Each route's method and pattern, in the order added.
  std::vector<std::pair<std::string, std::string>> endpoints() const {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& [route, segments] : routes_) out.emplace_back(route.method, route.pattern);
    return out;
  }

 private:
  std::vector<std::pair<Route, std::vector<std::string>>> routes_;
};

}  // namespace passerelle::gateway
