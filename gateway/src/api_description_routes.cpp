// GET /v1/openapi.json: the API's description, for any authenticated partner.
#include "api_description.hpp"
#include "routes.hpp"

namespace passerelle::gateway {

void addApiDescriptionRoutes(Router& router) {
  // Not audited: it names nobody and is the same for everyone. Authenticated all the same, so
  // that the API's shape is not shown to anonymous probes (server.cpp, unknown paths).
  router.add({"GET", "/v1/openapi.json", true, false,
              [](ApiRequest&) {
                static const std::string text = apiDescription().dump();
                ApiResponse response;
                response.text = text;
                return response;
              },
              std::nullopt});
}

}  // namespace passerelle::gateway
