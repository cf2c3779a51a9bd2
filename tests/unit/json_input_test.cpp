#include "passerelle/schemas/json_input.hpp"

#include <gtest/gtest.h>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::schemas {
namespace {

std::string messageOf(const std::string& text, const JsonLimits& limits = {}) {
  try {
    parseUntrustedJson(text, limits);
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::invalid_input);
    return e.what();
  }
  return "accepted";
}

TEST(JsonInputTest, ParsesOrdinaryDocuments) {
  EXPECT_EQ(parseUntrustedJson(R"({"a":[1,{"b":"é"}]})")["a"][1]["b"], "é");
}

TEST(JsonInputTest, MalformedJsonSaysWhereWithoutEchoingContent) {
  const auto message = messageOf(R"({"nom": Pissenlit})");
  EXPECT_NE(message.find("malformed JSON at byte"), std::string::npos);
  EXPECT_EQ(message.find("Pissenlit"), std::string::npos);
  EXPECT_NE(messageOf(R"({"a":1)"), "accepted");
  EXPECT_NE(messageOf(""), "accepted");
}

TEST(JsonInputTest, InvalidUtf8IsRefused) {
  EXPECT_NE(messageOf("{\"nom\":\"Pissenlit\xff\"}"), "accepted");
  EXPECT_NE(messageOf("{\"nom\":\"\xc3\"}"), "accepted");  // truncated sequence
}

TEST(JsonInputTest, NestingBeyondTheLimitIsRefused) {
  const std::string deep = std::string(100000, '[') + std::string(100000, ']');
  EXPECT_NE(messageOf(deep).find("nesting"), std::string::npos);
  JsonLimits limits;
  limits.max_depth = 3;
  EXPECT_EQ(messageOf("[[[1]]]", limits), "accepted");
  EXPECT_NE(messageOf("[[[[1]]]]", limits), "accepted");
}

TEST(JsonInputTest, OverlongStringsAndKeysAreRefused) {
  JsonLimits limits;
  limits.max_string_bytes = 10;
  EXPECT_EQ(messageOf(R"({"k":"0123456789"})", limits), "accepted");
  EXPECT_NE(messageOf(R"({"k":"0123456789a"})", limits).find("longer"), std::string::npos);
  EXPECT_NE(messageOf(R"({"0123456789a":1})", limits).find("longer"), std::string::npos);
}

}  // namespace
}  // namespace passerelle::schemas
