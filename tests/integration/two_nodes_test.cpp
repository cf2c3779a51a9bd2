// Two gateway nodes on one PostgreSQL database (issue 23), each a real `passerelle serve`
// process: a write on one is read on the other; writers on both respect If-Match; the audit log
// holds both nodes' entries in one tree and verifies; kill -9 of one node under load: the other
// keeps serving, no acknowledged write or audit entry is lost, the leases move to the survivor
// and the webhook outbox delivers every notification. Runs in the suite's PostgreSQL run only
// (tests/CMakeLists.txt).
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "command.hpp"
#include "passerelle/store/audit_store.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "postgres_server.hpp"
#include "serve_process.hpp"
#include "test_gateway.hpp"
#include "wait_for.hpp"
#include "webhook_receiver.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

const std::string kSecret = "secret-de-test-deux-noeuds-0123456789";

// A node: its configuration (the shared one, with its own port and work directory) and its
// process.
struct Node {
  explicit Node(std::string n) : name(std::move(n)) {}
  std::string name;
  std::uint16_t port = freePort();
  std::filesystem::path config;
  std::unique_ptr<ServeProcess> process;
};

class TwoNodesTest : public ::testing::Test {
 protected:
  TwoNodesTest() {
    if (!onPostgres()) throw std::runtime_error("the two-node tests need the PostgreSQL run");
    // The directory, the registry (the Département follows changes by webhook) and the two
    // databases, prepared by a gateway that then closes: the nodes are separate processes.
    prepared_ = std::make_unique<TestGateway>([&](gateway::GatewayConfig& c) {
      receiver_ = std::make_unique<WebhookReceiver>(c.server.tls, kSecret);
      std::ifstream in(c.partners_file);
      auto registry = json::parse(in);
      for (auto& p : registry["partners"])
        if (p["id"] == "departement")
          p["webhook"] = {
              {"url", "https://127.0.0.1:" + std::to_string(receiver_->port()) + "/hook"},
              {"secret", kSecret},
              {"purpose", "accompagnement"}};
      std::ofstream(c.partners_file) << registry.dump(2);
    });
    prepared_->close();
    const auto dir = prepared_->dir();
    const auto shared = json::parse(std::ifstream(dir / "passerelle.json"));
    for (auto* node : {&a_, &b_}) {
      auto config = shared;
      config["listen"]["port"] = node->port;
      config["store"]["postgresql"]["work_dir"] = "node-" + node->name;
      // Each node its own copy of the master key, as on separate hosts.
      std::filesystem::copy_file(dir / "master.key", dir / ("master-" + node->name + ".key"));
      std::filesystem::permissions(
          dir / ("master-" + node->name + ".key"),
          std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
      config["master_key_file"] = "master-" + node->name + ".key";
      config["webhooks"] = {{"poll_ms", 50},
                            {"backoff_base_ms", 100},
                            {"backoff_max_seconds", 1},
                            {"ca_file", "ca.pem"}};
      node->config = dir / ("node-" + node->name + ".json");
      std::ofstream(node->config) << config.dump(2);
    }
    for (auto* node : {&a_, &b_})
      node->process = std::make_unique<ServeProcess>(PASSERELLE_BINARY, node->config, node->port,
                                                     dir / "ca.pem");
  }

  HttpsClient client(const Node& node, const std::string& partner) const {
    const auto p = prepared_->dir() / "partners" / partner;
    return HttpsClient(node.port,
                       clientContext(prepared_->dir() / "ca.pem", p / "cert.pem", p / "key.pem"));
  }

  std::string createDossier(const Node& node, int n, std::string* audit_entry = nullptr) const {
    const auto r = client(node, "caf")
                       .request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                testdata::cafPushOf(testdata::syntheticDossiers(n + 1)[n]).dump());
    if (r.status != 201) return "";
    if (audit_entry) *audit_entry = r.header("X-Audit-Entry");
    return r.json()["id"].get<std::string>();
  }

  // The OS process whose lease connection holds each lease now (from the server's lock table).
  std::map<std::string, int> leaseHolders() const {
    PgConnectionProbe probe(prepared_->config().postgresql->url);
    return probe.holders();
  }

  // What the server says about advisory locks held by lease connections.
  class PgConnectionProbe {
   public:
    explicit PgConnectionProbe(const std::string& url) : url_(url) {}
    std::map<std::string, int> holders() const {
      const auto out =
          runCommand("/usr/bin/psql",
                     {"-X", "-A", "-t", "-F", "|", url_, "-c",
                      "SELECT l.objid, a.application_name FROM pg_locks l JOIN pg_stat_activity a "
                      "ON a.pid = l.pid WHERE l.locktype = 'advisory' AND l.granted AND "
                      "a.application_name LIKE 'passerelle leases %'"});
      std::map<std::string, int> held;
      std::istringstream lines(out.output);
      for (std::string line; std::getline(lines, line);) {
        const auto bar = line.find('|');
        if (bar == std::string::npos) continue;
        held[line.substr(0, bar)] = std::stoi(line.substr(line.rfind(' ') + 1));
      }
      return held;
    }

   private:
    std::string url_;
  };

  const std::vector<json> people_ = testdata::syntheticDossiers(1000);
  std::unique_ptr<WebhookReceiver> receiver_;
  std::unique_ptr<TestGateway> prepared_;
  Node a_{"a"}, b_{"b"};
};

TEST_F(TwoNodesTest, AWriteOnOneNodeIsReadOnTheOtherAndIfMatchHoldsAcrossThem) {
  const auto id = createDossier(a_, 0);
  ASSERT_FALSE(id.empty());
  const auto read =
      client(b_, "caf").request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa"));
  ASSERT_EQ(read.status, 200) << read.body;

  // Writers on both nodes, each writing on the version it read: one wins each version.
  std::atomic<int> won{0}, refused{0};
  std::mutex mutex;
  std::vector<std::string> other;
  std::vector<std::thread> writers;
  const Node* nodes[] = {&a_, &b_, &a_, &b_};
  for (int w = 0; w < 4; ++w)
    writers.emplace_back([&, w, node = nodes[w]] {
      const auto dept = client(*node, "departement");
      for (int i = 0; i < 8; ++i) {
        const auto current =
            dept.request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose());
        auto headers = withPurpose();
        headers["If-Match"] = current.header("ETag");
        // Each write its own content: an equal one would be no new version.
        const json contact = {
            {"telephone", "+33 1 00 00 " + std::to_string(10 + w) + " " + std::to_string(10 + i)}};
        const auto put = dept.request("PUT", "/v1/dossiers/" + id + "/sections/contact", headers,
                                      contact.dump());
        if (put.status == 200 || put.status == 201)
          ++won;
        else if (put.status == 412)
          ++refused;
        else {
          std::lock_guard lock(mutex);
          other.push_back(std::to_string(put.status) + " " + put.body);
        }
      }
    });
  for (auto& w : writers) w.join();
  EXPECT_TRUE(other.empty()) << other.size() << " unexpected, first: " << other.front();
  EXPECT_GT(won.load(), 0);
  const auto last = client(a_, "departement")
                        .request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose());
  EXPECT_EQ(last.header("ETag"), "\"" + std::to_string(1 + won.load()) + "\"")
      << "every win is one version: none lost, none doubled";
}

TEST_F(TwoNodesTest, AnExportAskedOnOneNodeIsRunOnceAndAnsweredByBoth) {
  for (int n = 0; n < 12; ++n) ASSERT_FALSE(createDossier(n % 2 ? a_ : b_, n).empty());
  const json ask = {{"study", "etude-demo"}, {"profile", "annexe-e"}};
  const auto asked = client(a_, "evaluateur").request("POST", "/v1/exports", {}, ask.dump());
  ASSERT_EQ(asked.status, 202) << asked.body;
  const auto id = asked.json()["id"].get<std::string>();
  json status;
  ASSERT_TRUE(waitFor(
      [&] {
        status = client(b_, "evaluateur").request("GET", "/v1/exports/" + id).json();
        return status["status"] == "done" || status["status"] == "failed";
      },
      std::chrono::seconds(30)));
  ASSERT_EQ(status["status"], "done") << status.dump();
  EXPECT_EQ(status["manifest"]["persons_considered"], 12) << "both nodes' writes";
  // Each file, from either node, the same bytes: they are in the database, not on a node.
  for (const auto& href : status["files"]) {
    const auto from_a = client(a_, "evaluateur").request("GET", href.get<std::string>());
    const auto from_b = client(b_, "evaluateur").request("GET", href.get<std::string>());
    ASSERT_EQ(from_a.status, 200) << href;
    ASSERT_EQ(from_b.status, 200) << href;
    EXPECT_FALSE(from_a.body.empty()) << href;
    EXPECT_EQ(from_a.body, from_b.body) << href;
  }
  // Run once, by whichever node held the lease: one export_run entry.
  const auto runs =
      client(b_, "dpo").request("GET", "/v1/audit/entries?partner=evaluateur&action=export_run");
  EXPECT_EQ(runs.json()["entries"].size(), 1u) << runs.body;
}

TEST_F(TwoNodesTest, AKeyRotationWrapsNothingUnderANewVersionBeforeEveryNodeHoldsIt) {
  std::vector<std::string> ids;
  for (int n = 0; n < 6; ++n) ids.push_back(createDossier(n % 2 ? a_ : b_, n));
  const auto rotate = [&] {
    return runCommand(PASSERELLE_BINARY, {"keys", "rotate", "--config", a_.config.string()});
  };
  // The new version goes into a's file, which a reads again at its next heartbeat; b's copy
  // lacks it, so after a wait nothing is wrapped under it.
  const auto first = rotate();
  EXPECT_NE(first.status, 0) << first.output;
  EXPECT_TRUE(contains(first.output, "1 live gateway node(s) still do not hold it"))
      << first.output;
  const auto everyNodeReadsEveryDossier = [&] {
    for (const auto* node : {&a_, &b_})
      for (const auto& id : ids)
        EXPECT_EQ(client(*node, "caf")
                      .request("GET", "/v1/dossiers/" + id, withPurpose("instruction_rsa"))
                      .status,
                  200)
            << node->name << " " << id;
  };
  everyNodeReadsEveryDossier();

  // The file copied to b: once b says it holds the version, the rotation runs through.
  const auto dir = prepared_->dir();
  std::filesystem::copy_file(dir / "master-a.key", dir / "master-b.key",
                             std::filesystem::copy_options::overwrite_existing);
  CommandResult done;
  ASSERT_TRUE(waitFor(
      [&] {
        done = rotate();
        return done.status == 0;
      },
      std::chrono::seconds(20)))
      << done.output;
  EXPECT_TRUE(contains(done.output, "re-wrapped 6 data keys")) << done.output;
  everyNodeReadsEveryDossier();  // under the new version now
}

TEST_F(TwoNodesTest, KillNineOfOneNodeUnderLoadLosesNothingAcknowledgedAndMovesTheLeases) {
  // Both nodes start; whichever took the first lease is the one killed. The leases: webhooks,
  // retention, audit-outbox, exports, checkpoints.
  constexpr std::size_t kLeases = 5;
  ASSERT_TRUE(waitFor([&] { return leaseHolders().size() == kLeases; }, std::chrono::seconds(20)))
      << "every lease is taken";
  const auto before = leaseHolders();
  const int holder = before.begin()->second;
  Node& victim = holder == a_.process->pid() ? a_ : b_;
  Node& survivor = &victim == &a_ ? b_ : a_;
  ASSERT_TRUE(holder == a_.process->pid() || holder == b_.process->pid());

  std::mutex mutex;
  std::map<std::string, std::string> acknowledged;  // dossier id -> its audit entry's index
  std::atomic<bool> stop{false};
  std::atomic<int> next{0};
  std::vector<std::thread> load;
  for (Node* node : {&victim, &survivor})
    load.emplace_back([&, node] {
      while (!stop) {
        std::string entry;
        std::string id;
        try {
          id = createDossier(*node, next++, &entry);
        } catch (const std::exception&) {
          continue;  // the node is gone: its writes stop being acknowledged
        }
        if (id.empty()) continue;
        std::lock_guard lock(mutex);
        acknowledged[id] = entry;
      }
    });
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  victim.process->killHard();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  stop = true;
  for (auto& t : load) t.join();
  ASSERT_GT(acknowledged.size(), 10u);
  std::cout << acknowledged.size() << " creations acknowledged by the two nodes, node "
            << victim.name << " killed\n";

  // The survivor serves, and takes the leases over.
  std::string entry;
  EXPECT_FALSE(createDossier(survivor, 999, &entry).empty()) << "the survivor keeps serving";
  EXPECT_TRUE(waitFor(
      [&] {
        const auto now = leaseHolders();
        if (now.size() != kLeases) return false;
        for (const auto& [lease, pid] : now)
          if (pid != survivor.process->pid()) return false;
        return true;
      },
      std::chrono::seconds(20)))
      << "the leases move to the survivor";

  // Every acknowledged write reads back on the survivor, with its audit entry in the one log.
  auto audit = store::openPostgresAuditStore({prepared_->config().postgresql->url, {}, false});
  const auto dept = client(survivor, "departement");
  for (const auto& [id, index] : acknowledged) {
    EXPECT_EQ(dept.request("GET", "/v1/dossiers/" + id, withPurpose()).status, 200) << id;
    ASSERT_FALSE(index.empty()) << id;
    const auto row = audit->row(std::stoull(index));
    ASSERT_TRUE(row) << "entry " << index;
    EXPECT_EQ(row->action, "dossier_create") << index;
  }
  const auto verified =
      runCommand(PASSERELLE_BINARY, {"audit", "verify", "--config", survivor.config.string()});
  EXPECT_EQ(verified.status, 0) << verified.output;

  // The webhook outbox: the Département hears of every acknowledged dossier, though the node
  // that was delivering died (at least once; a delivery in flight at the kill may come twice).
  EXPECT_TRUE(waitFor(
      [&] {
        const auto notified = receiver_->dossiers();
        for (const auto& [id, index] : acknowledged)
          if (notified.count(id) == 0) return false;
        return true;
      },
      std::chrono::seconds(30)))
      << receiver_->dossiers().size() << " notified of " << acknowledged.size();
  EXPECT_EQ(receiver_->badSignatures(), 0u);
}

}  // namespace
}  // namespace passerelle::testing
