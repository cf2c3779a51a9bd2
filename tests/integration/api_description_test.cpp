// GET /v1/openapi.json (issue 24): the served description names exactly the endpoints the
// gateway routes, every problem type of the error table, and the section schemas of
// schemas/dui/ themselves. That each response the suite receives conforms to it is checked by
// OpenApiResponsesConform (tests/openapi/validate.mjs) once the suite has run.
#include <gtest/gtest.h>

#include <set>

#include "passerelle/app/error_table.hpp"
#include "passerelle/core/section.hpp"
#include "passerelle/schemas/schema_set.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

TEST(ApiDescriptionTest, DescribesEveryRoutedEndpointAndNoOther) {
  TestGateway gateway;
  const auto answer = gateway.asPartner("caf").request("GET", "/v1/openapi.json");
  ASSERT_EQ(answer.status, 200) << answer.body;
  const auto doc = json::parse(answer.body);
  EXPECT_EQ(doc["openapi"], "3.1.0");

  std::set<std::pair<std::string, std::string>> described;
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      described.emplace(upper, path);
    }
  const auto routed = gateway.gateway().server().endpoints();
  const std::set<std::pair<std::string, std::string>> served(routed.begin(), routed.end());
  for (const auto& e : served)
    EXPECT_TRUE(described.count(e)) << e.first << " " << e.second << " is served, not described";
  for (const auto& e : described)
    EXPECT_TRUE(served.count(e)) << e.first << " " << e.second << " is described, not served";
  EXPECT_GE(served.size(), 30u);
}

TEST(ApiDescriptionTest, NamesEveryProblemTypeWithItsStatus) {
  TestGateway gateway;
  const auto doc = json::parse(gateway.asPartner("caf").request("GET", "/v1/openapi.json").body);
  const auto& types = doc["components"]["schemas"]["Problem"]["properties"]["type"]["enum"];
  for (int t = 0; t <= static_cast<int>(app::ProblemType::not_ready); ++t) {
    const auto& info = app::describe(static_cast<app::ProblemType>(t));
    const auto urn = "urn:passerelle:problem:" + std::string(info.name);
    EXPECT_NE(std::find(types.begin(), types.end(), urn), types.end()) << urn;
    if (info.type == app::ProblemType::not_ready) continue;  // /readyz's own response
    // Each problem is named in the shared response of its status.
    bool found = false;
    for (const auto& [name, response] : doc["components"]["responses"].items())
      if (response["description"].get<std::string>().find("`" + std::string(info.name) + "`") !=
          std::string::npos) {
        found = true;
        for (const auto& [path, item] : doc["paths"].items())
          for (const auto& [method, operation] : item.items())
            for (const auto& [status, r] : operation["responses"].items())
              if (r.value("$ref", "") == "#/components/responses/" + name) {
                EXPECT_EQ(status, std::to_string(info.status)) << name << " in " << path;
              }
      }
    EXPECT_TRUE(found) << info.name << " is in no shared response";
  }
}

TEST(ApiDescriptionTest, CarriesTheSectionSchemasThemselvesAndOnlyToAPartner) {
  TestGateway gateway;
  EXPECT_EQ(gateway.anonymous().request("GET", "/v1/openapi.json").status, 401);
  const auto doc = json::parse(gateway.asPartner("caf").request("GET", "/v1/openapi.json").body);
  const auto& components = doc["components"]["schemas"];
  for (const auto section : core::allSections()) {
    const auto name = "section-" + std::string(core::toString(section));
    ASSERT_TRUE(components.contains(name)) << name;
    auto expected = schemas::sectionSchema(section);
    expected.erase("$schema");
    auto served = components[name];
    served.erase("$comment");
    EXPECT_EQ(served, expected) << name;
  }
  EXPECT_EQ(doc.dump().find("../schemas/"), std::string::npos) << "a reference left unresolved";
}

}  // namespace
}  // namespace passerelle::testing
