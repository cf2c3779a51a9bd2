#include "router.hpp"

#include <gtest/gtest.h>

namespace passerelle::gateway {
namespace {

TEST(RouterTest, MatchesPatternsAndExtractsParameters) {
  Router router;
  router.add({"GET", "/v1/dossiers/{id}", true, true, nullptr, std::nullopt});
  router.add({"PUT", "/v1/dossiers/{id}/sections/{section}", true, true, nullptr, std::nullopt});
  auto m = router.match("PUT", "/v1/dossiers/dabc/sections/contact");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.params.at("id"), "dabc");
  EXPECT_EQ(m.params.at("section"), "contact");
  EXPECT_EQ(router.match("GET", "/v1/dossiers/dabc/").route->pattern, "/v1/dossiers/{id}");
}

TEST(RouterTest, TellsWrongMethodFromUnknownPath) {
  Router router;
  router.add({"GET", "/v1/dossiers/{id}", true, true, nullptr, std::nullopt});
  auto wrong_method = router.match("DELETE", "/v1/dossiers/dabc");
  EXPECT_EQ(wrong_method.route, nullptr);
  EXPECT_TRUE(wrong_method.path_known);
  auto unknown = router.match("GET", "/v1/dossiers/dabc/nothing");
  EXPECT_EQ(unknown.route, nullptr);
  EXPECT_FALSE(unknown.path_known);
  EXPECT_FALSE(router.match("GET", "/").path_known);
}

}  // namespace
}  // namespace passerelle::gateway
