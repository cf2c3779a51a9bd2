// `logging.format: json` (issue 24): the real `passerelle serve` writes one JSON object a line,
// an access line with the request's fields of its own, and no personal data: neither a name
// sent in a body nor a dossier's id from a path.
#include <Poco/PipeStream.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "serve_process.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

TEST(JsonLogTest, EachLineIsOneObjectWithTheRequestsFieldsAndNoPersonalData) {
  auto prepared = std::make_unique<TestGateway>();
  prepared->close();
  const auto dir = prepared->dir();
  const auto port = freePort();
  const auto config = prepared->writeServeConfig("json-log.json", port, [](json& c) {
    c["logging"] = {{"format", "json"}};
  });

  auto person = testdata::syntheticDossiers(1)[0];
  auto push = testdata::cafPushOf(person);
  push["identite"]["nom_naissance"] = "Zyxwvutsrq";
  Poco::Pipe log;
  std::string id;
  {
    ServeProcess serve(PASSERELLE_BINARY, config, port, dir / "ca.pem", &log);
    const auto caf = [&] {
      const auto p = dir / "partners" / "caf";
      return HttpsClient(port, clientContext(dir / "ca.pem", p / "cert.pem", p / "key.pem"));
    }();
    const auto created =
        caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), push.dump());
    ASSERT_EQ(created.status, 201) << created.body;
    id = created.json()["id"].get<std::string>();
    EXPECT_EQ(caf.request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa")).status, 200);
  }  // killed: what it wrote is in the pipe
  log.close(Poco::Pipe::CLOSE_WRITE);
  Poco::PipeInputStream in(log);
  std::string line;
  int lines = 0, access = 0;
  while (std::getline(in, line)) {
    ++lines;
    EXPECT_EQ(line.find("Zyxwvutsrq"), std::string::npos) << line;
    EXPECT_EQ(line.find(id), std::string::npos) << "a dossier id in the log: " << line;
    json entry;
    ASSERT_NO_THROW(entry = json::parse(line)) << line;
    ASSERT_TRUE(entry.is_object()) << line;
    for (const char* key : {"time", "level", "component", "message"})
      EXPECT_TRUE(entry.contains(key)) << key << " missing: " << line;
    if (!entry.contains("route")) continue;
    ++access;
    EXPECT_EQ(entry["component"], "passerelle.http");
    EXPECT_TRUE(entry["status"].is_number_integer()) << line;
    EXPECT_TRUE(entry["duration_ms"].is_number()) << line;
    EXPECT_EQ(entry["request_id"].get<std::string>().size(), 16u) << line;
    if (entry["route"] == "POST /v1/dossiers") {
      EXPECT_EQ(entry["status"], 201);
      EXPECT_EQ(entry["partner"], "caf");
    }
  }
  EXPECT_GE(lines, 4) << "the start's lines and the requests'";
  EXPECT_GE(access, 3) << "the health probes and the two requests";
}

}  // namespace
}  // namespace passerelle::testing
