// Master key rotation by the command line beside a serving gateway: reads and writes carry on,
// an interrupted rotation resumes, and the restarted gateway reads everything with the new key
// file alone.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <mutex>
#include <thread>

#include "command.hpp"
#include "passerelle/app/process_lock.hpp"
#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/store/sqlite_store.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

CommandResult passerelle(const std::vector<std::string>& args) {
  return runCommand(PASSERELLE_BINARY, args);
}

TEST(KeyRotationTest, TheGatewayServesWhileTheCommandLineRotatesAndResumes) {
  TestGateway gw;
  const auto people = testdata::syntheticDossiers(60);
  std::vector<std::string> ids;
  for (int n = 0; n < 30; ++n) {
    const auto r =
        gw.asPartner("caf").request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                    testdata::cafPushOf(people[n]).dump());
    ASSERT_EQ(r.status, 201) << r.body;
    ids.push_back(r.json()["id"].get<std::string>());
  }
  std::mutex ids_mutex;
  std::atomic<bool> stop{false};
  std::atomic<int> served{0};
  std::vector<std::string> failures;
  std::thread traffic([&] {
    auto caf = gw.asPartner("caf");
    for (int n = 30; !stop; ++n) {
      std::string id;
      {
        std::lock_guard lock(ids_mutex);
        id = ids[static_cast<std::size_t>(n) % ids.size()];
      }
      const auto read = caf.request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa"));
      if (read.status != 200) failures.push_back("read " + std::to_string(read.status));
      if (n < 60) {  // a few new dossiers, whose keys land under whichever version is active
        const auto created = caf.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                         testdata::cafPushOf(people[n]).dump());
        if (created.status != 201) failures.push_back("create " + std::to_string(created.status));
        std::lock_guard lock(ids_mutex);
        ids.push_back(created.json()["id"].get<std::string>());
      }
      ++served;
    }
  });

  const auto config = (gw.dir() / "passerelle.json").string();
  const auto first = passerelle({"keys", "rotate", "--config", config, "--max-keys", "10"});
  EXPECT_EQ(first.status, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "rotating to master key version 2")) << first.output;
  EXPECT_TRUE(contains(first.output, "re-wrapped 10 data keys")) << first.output;
  EXPECT_TRUE(contains(first.output, "run `passerelle keys rotate` again")) << first.output;
  const auto half = passerelle({"keys", "status", "--config", config});
  EXPECT_TRUE(contains(half.output, "new data keys are wrapped under master key version 2"))
      << half.output;
  EXPECT_TRUE(contains(half.output, "version 1: ")) << half.output;

  {  // A second rotation while one runs is refused.
    const app::ProcessLock held(app::localPath(gw.config(), "keys.rotate.lock"),
                                "held by the test");
    const auto concurrent = passerelle({"keys", "rotate", "--config", config});
    EXPECT_EQ(concurrent.status, 1);
    EXPECT_TRUE(contains(concurrent.output, "another key rotation is running"))
        << concurrent.output;
  }

  const auto second = passerelle({"keys", "rotate", "--config", config});
  EXPECT_EQ(second.status, 0) << second.output;
  EXPECT_TRUE(contains(second.output, "resumed the rotation to master key version 2"))
      << second.output;
  EXPECT_TRUE(contains(second.output, "retired version 1")) << second.output;
  stop = true;
  traffic.join();
  EXPECT_TRUE(failures.empty()) << failures.size() << " failures, first: " << failures.front();
  EXPECT_GT(served.load(), 0);
  EXPECT_EQ(crypto::MasterKeys::loadFile(*gw.config().master_key_file).versions(),
            (std::vector<crypto::MasterKeys::Version>{2}));
  const auto done = passerelle({"keys", "status", "--config", config});
  EXPECT_FALSE(contains(done.output, "version 1: ")) << done.output;

  // After a restart, only the new key file: every dossier reads, the signing key is the same.
  const auto public_key = gw.gateway().app().signer().publicKeyHex();
  gw.restart();
  auto caf = gw.asPartner("caf");
  for (const auto& id : ids)
    EXPECT_EQ(caf.request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa")).status, 200)
        << id;
  EXPECT_EQ(gw.gateway().app().signer().publicKeyHex(), public_key);
  const auto verified = passerelle({"audit", "verify", "--config", config});
  EXPECT_EQ(verified.status, 0) << verified.output;
}

TEST(KeyRotationTest, AKeyGivenByTheEnvironmentCannotBeRotatedInPlace) {
  TestGateway gw;
  gw.close();
  auto config = nlohmann::json::parse(std::ifstream(gw.dir() / "passerelle.json"));
  config.erase("master_key_file");
  std::ofstream(gw.dir() / "env.json") << config.dump();
  const auto r = passerelle({"keys", "rotate", "--config", (gw.dir() / "env.json").string()});
  EXPECT_EQ(r.status, 1);
  EXPECT_TRUE(contains(r.output, "set master_key_file in the configuration")) << r.output;
}

}  // namespace
}  // namespace passerelle::testing
