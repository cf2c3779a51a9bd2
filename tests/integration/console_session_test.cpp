// The console's sessions (issue 25): a DPO signs in with its token and then works with the
// cookie alone; every change needs the CSRF token; sign-out ends the session for good; a kind
// the policy does not grant `console` gets none; a session cannot be stretched to another
// partner's credential; and each step is in the audit log.
#include <gtest/gtest.h>

#include <regex>

#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

class ConsoleSessionTest : public ::testing::Test {
 protected:
  // A client with no certificate: the console is a browser, which need not have one.
  HttpResult call(const std::string& method, const std::string& path,
                  std::map<std::string, std::string> headers = {},
                  const std::optional<std::string>& body = std::nullopt) {
    return gw_.anonymous().request(method, path, headers, body);
  }
  std::map<std::string, std::string> bearer(const std::string& partner) {
    return {{"Authorization", "Bearer " + gw_.tokenOf(partner)}};
  }
  struct Session {
    std::string cookie;  // "passerelle_console=..."
    std::string csrf;
  };
  Session signIn(const std::string& partner) {
    const auto answer = call("POST", "/v1/console/session", bearer(partner));
    EXPECT_EQ(answer.status, 201) << answer.body;
    const auto set = answer.header("Set-Cookie");
    return {set.substr(0, set.find(';')), answer.json().value("csrf_token", "")};
  }

  TestGateway gw_;
};

TEST_F(ConsoleSessionTest, ADpoSignsInAndWorksWithTheCookieAlone) {
  const auto answer = call("POST", "/v1/console/session", bearer("dpo"));
  ASSERT_EQ(answer.status, 201) << answer.body;
  const auto set = answer.header("Set-Cookie");
  EXPECT_TRUE(std::regex_match(set, std::regex("passerelle_console=[0-9a-f]{64}; Path=/; "
                                               "Max-Age=900; Secure; HttpOnly; SameSite=Strict")))
      << set;
  const auto body = answer.json();
  EXPECT_EQ(body["partner"], "dpo");
  EXPECT_EQ(body["kind"], "dpo");
  EXPECT_TRUE(std::regex_match(body["csrf_token"].get<std::string>(), std::regex("[0-9a-f]{64}")));
  const std::string cookie = set.substr(0, set.find(';'));
  EXPECT_EQ(body.dump().find(cookie.substr(19)), std::string::npos)
      << "the cookie is not in the body";

  const auto state = call("GET", "/v1/console/session", {{"Cookie", cookie}});
  ASSERT_EQ(state.status, 200) << state.body;
  EXPECT_EQ(state.json()["partner"], "dpo");
  const auto capabilities = state.json()["capabilities"];
  EXPECT_NE(std::find(capabilities.begin(), capabilities.end(), "audit_search"),
            capabilities.end());
  EXPECT_EQ(std::find(capabilities.begin(), capabilities.end(), "erasure"), capabilities.end());

  // The DPO's own API, by the cookie: the audit log, where the sign-in is recorded with a
  // session credential that names the session by a hash prefix, never the cookie.
  const auto entries =
      call("GET", "/v1/audit/entries?action=console_sign_in", {{"Cookie", cookie}});
  ASSERT_EQ(entries.status, 200) << entries.body;
  ASSERT_EQ(entries.json()["entries"].size(), 1u) << entries.body;
  const auto entry = entries.json()["entries"][0];
  EXPECT_EQ(entry["partner"], "dpo");
  EXPECT_EQ(entries.body.find(cookie.substr(19)), std::string::npos);
  const auto reads = call("GET", "/v1/audit/entries?action=console_session", {{"Cookie", cookie}});
  ASSERT_EQ(reads.json()["entries"].size(), 1u) << reads.body;
  EXPECT_NE(reads.json()["entries"][0].dump().find("session:"), std::string::npos)
      << reads.json()["entries"][0].dump();
}

TEST_F(ConsoleSessionTest, EveryChangeNeedsTheCsrfTokenAndSignOutEndsTheSession) {
  const auto s = signIn("dpo");
  // A change (a checkpoint signed) with the cookie alone, as a forged cross-site request would
  // be sent: refused, nothing signed.
  EXPECT_EQ(call("POST", "/v1/audit/checkpoint", {{"Cookie", s.cookie}}).status, 401);
  EXPECT_EQ(call("POST", "/v1/audit/checkpoint",
                 {{"Cookie", s.cookie}, {"X-CSRF-Token", std::string(64, '0')}})
                .status,
            401);
  EXPECT_EQ(
      call("POST", "/v1/audit/checkpoint", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}).status,
      201);

  EXPECT_EQ(call("DELETE", "/v1/console/session", {{"Cookie", s.cookie}}).status, 401)
      << "sign-out is a change too";
  const auto out =
      call("DELETE", "/v1/console/session", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}});
  ASSERT_EQ(out.status, 204) << out.body;
  EXPECT_EQ(out.header("Set-Cookie"),
            "passerelle_console=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
  const auto after = call("GET", "/v1/console/session", {{"Cookie", s.cookie}});
  EXPECT_EQ(after.status, 401);
  EXPECT_EQ(after.json()["type"], "urn:passerelle:problem:unauthenticated");
  EXPECT_EQ(call("GET", "/v1/audit/entries", {{"Cookie", s.cookie}}).status, 401);
}

TEST_F(ConsoleSessionTest, OnlyTheKindsThePolicyGrantsTheConsoleSignIn) {
  const auto caf = call("POST", "/v1/console/session", bearer("caf"));
  EXPECT_EQ(caf.status, 403) << caf.body;
  EXPECT_TRUE(caf.header("Set-Cookie").empty());
  EXPECT_EQ(signIn("departement").cookie.size(), 19u + 64u);
  // Without a credential, or with the cookie of a session (a session never makes another).
  EXPECT_EQ(call("POST", "/v1/console/session").status, 401);
  const auto s = signIn("dpo");
  EXPECT_EQ(
      call("POST", "/v1/console/session", {{"Cookie", s.cookie}, {"X-CSRF-Token", s.csrf}}).status,
      401);
  // GET and DELETE without a session: nothing to show or end.
  EXPECT_EQ(call("GET", "/v1/console/session", bearer("dpo")).status, 404);
}

TEST_F(ConsoleSessionTest, ACookieIsNeverStretchedToAnotherPartnerOrAForgedValue) {
  const auto s = signIn("dpo");
  auto with_caf = bearer("caf");
  with_caf["Cookie"] = s.cookie;
  const auto mixed = call("GET", "/v1/audit/entries", with_caf);
  EXPECT_EQ(mixed.status, 401) << "two credentials naming two partners";
  EXPECT_EQ(
      call("GET", "/v1/console/session", {{"Cookie", "passerelle_console=" + std::string(64, 'a')}})
          .status,
      401);
  EXPECT_EQ(call("GET", "/v1/console/session", {{"Cookie", "passerelle_console=x"}}).status, 401);
  // The same partner's token beside its cookie is fine.
  auto with_dpo = bearer("dpo");
  with_dpo["Cookie"] = s.cookie;
  EXPECT_EQ(call("GET", "/v1/console/session", with_dpo).status, 200);
  // A caf token alone is not a way into a session's endpoints.
  EXPECT_EQ(call("GET", "/v1/console/session", bearer("caf")).status, 404);
}

TEST_F(ConsoleSessionTest, ThePageIsServedToAnyoneUnderAStrictContentSecurityPolicy) {
  const auto page = call("GET", "/console");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.header("Content-Type"), "text/html; charset=utf-8");
  const auto csp = page.header("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe"), std::string::npos) << csp;
  EXPECT_EQ(page.header("X-Content-Type-Options"), "nosniff");
  EXPECT_TRUE(page.header("Set-Cookie").empty());
  // No inline script or style for the policy to forbid: every one is a file of its own.
  EXPECT_FALSE(std::regex_search(page.body, std::regex("<script(?![^>]*\\bsrc=)")))
      << "an inline script";
  EXPECT_FALSE(std::regex_search(page.body, std::regex("<style|style=")));
  EXPECT_EQ(call("GET", "/console/").body, page.body);

  const auto script = call("GET", "/console/console.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.header("Content-Type"), "text/javascript; charset=utf-8");
  EXPECT_NE(script.body.find("/v1/console/session"), std::string::npos);
  EXPECT_EQ(call("GET", "/console/console.css").header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_EQ(call("GET", "/console/passerelle.json").status, 404);
  const auto traversal = call("GET", "/console/..%2F..%2Fetc%2Fpasswd");
  EXPECT_NE(traversal.status, 200);
  EXPECT_EQ(traversal.body.find("root:"), std::string::npos);
}

}  // namespace
}  // namespace passerelle::testing
