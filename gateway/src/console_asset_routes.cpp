// The console's page and its assets (console/), embedded at build time: GET /console and
// GET /console/{file}. Served to anyone (the page is how one signs in), with no personal data
// and under a Content-Security-Policy that lets it run its own script and call the gateway, and
// nothing else.
#include <map>
#include <string>

#include "passerelle/core/domain_error.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

namespace detail {
// console/*, embedded at build time (cmake/EmbedFiles.cmake), by file name.
const std::map<std::string, std::string>& embeddedConsole();
}  // namespace detail

namespace {

// No inline script or style, no other origin, no framing, no plugin, no form posted elsewhere.
constexpr const char* kContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

std::string contentTypeOf(const std::string& name) {
  static const std::map<std::string, std::string> kTypes = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"}};
  const auto dot = name.rfind('.');
  const auto it = dot == std::string::npos ? kTypes.end() : kTypes.find(name.substr(dot));
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

ApiResponse asset(const std::string& name) {
  const auto& files = detail::embeddedConsole();
  const auto it = files.find(name);
  if (it == files.end()) throw core::DomainError(core::ErrorKind::not_found, "no such file");
  ApiResponse response(200, std::nullopt,
                       {{"Content-Security-Policy", kContentSecurityPolicy},
                        {"X-Content-Type-Options", "nosniff"},
                        {"Referrer-Policy", "no-referrer"},
                        {"X-Frame-Options", "DENY"}});
  response.text = it->second;
  response.content_type = contentTypeOf(name);
  return response;
}

}  // namespace

void addConsoleAssetRoutes(Router& router) {
  router.add({"GET", "/console", false, false, [](ApiRequest&) { return asset("index.html"); },
              std::nullopt});
  router.add({"GET", "/console/{file}", false, false,
              [](ApiRequest& request) { return asset(request.pathParam("file")); }, std::nullopt});
}

}  // namespace passerelle::gateway
