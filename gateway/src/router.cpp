#include "router.hpp"

#include <Poco/StringTokenizer.h>

namespace passerelle::gateway {

namespace {
std::vector<std::string> segments(const std::string& path) {
  Poco::StringTokenizer tokens(path, "/", Poco::StringTokenizer::TOK_IGNORE_EMPTY);
  return {tokens.begin(), tokens.end()};
}
}  // namespace

void Router::add(Route route) {
  auto parts = segments(route.pattern);
  routes_.emplace_back(std::move(route), std::move(parts));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  const auto parts = segments(path);
  Match result;
  for (const auto& [route, pattern] : routes_) {
    if (pattern.size() != parts.size()) continue;
    std::map<std::string, std::string> params;
    bool ok = true;
    for (std::size_t i = 0; ok && i < parts.size(); ++i) {
      const auto& p = pattern[i];
      if (p.size() > 2 && p.front() == '{' && p.back() == '}')
        params[p.substr(1, p.size() - 2)] = parts[i];
      else
        ok = p == parts[i];
    }
    if (!ok) continue;
    result.path_known = true;
    if (route.method == method) {
      result.route = &route;
      result.params = std::move(params);
      return result;
    }
  }
  return result;
}

}  // namespace passerelle::gateway
