// A full disk (issue 21, §2): every request gets a clean answer (its own result, or a 503
// problem+json that changed nothing), /readyz says why the node is not ready, the idle gateway
// does not hammer the disk, and everything recovers without a restart once space is freed. Two
// ways: SQLITE_FULL injected through the fault VFS (always runs), and a real small filesystem
// that the test mounts (skipped, saying why, where mounting is not allowed).
#include <gtest/gtest.h>
#include <sched.h>
#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <thread>

#include "fault_vfs.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

// What a client sees of one request.
struct Answer {
  int status = 0;
  std::string content_type;
  std::string body;
};

Answer ask(const HttpsClient& client, const std::string& method, const std::string& path,
           const std::map<std::string, std::string>& headers = {},
           const std::optional<std::string>& body = std::nullopt) {
  const auto r = client.request(method, path, headers, body);
  return {r.status, r.header("Content-Type"), r.body};
}

// The checks shared by both tests, on a gateway whose files are about to run out of space.
class FullDisk {
 public:
  explicit FullDisk(TestGateway& gw) : gw_(gw) {}

  std::string createDossier(std::size_t index) {
    static const auto people = testdata::syntheticDossiers(20);
    const auto r =
        gw_.asPartner("caf").request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                     testdata::cafPushOf(people.at(index)).dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }

  std::string emailOf(const std::string& id) {
    const auto r = dept().request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose());
    return r.status == 200 ? r.json().value("email", "") : std::string();
  }

  // Writes a new e-mail address; the answer must be the write's own or a clean 503 that stored
  // nothing. Returns the status.
  int writeEmail(const std::string& id, const std::string& email) {
    // The section as first read: a read on a full disk is refused like the write.
    if (!contacts_.contains(id))
      contacts_[id] =
          dept().request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose()).json();
    auto contact = contacts_[id];
    contact["email"] = email;
    const auto answer = ask(dept(), "PUT", "/v1/dossiers/" + id + "/sections/contact",
                            withPurpose(), contact.dump());
    if (answer.status == 503) {
      expectCleanRefusal(answer);
      refused_ += 1;
      // Read once the disk has room again: the refusal must have stored nothing.
      refused_writes_.emplace_back(id, email);
    } else {
      EXPECT_TRUE(answer.status == 200 || answer.status == 201) << answer.body;
      acknowledged_[id] = email;
    }
    return answer.status;
  }

  static void expectCleanRefusal(const Answer& answer) {
    EXPECT_EQ(answer.content_type, "application/problem+json");
    const auto problem = json::parse(answer.body);
    const auto type = problem.value("type", "");
    EXPECT_TRUE(type == "urn:passerelle:problem:store-unavailable" ||
                type == "urn:passerelle:problem:audit-unavailable")
        << answer.body;
    EXPECT_EQ(answer.body.find("@exemple.invalid"), std::string::npos) << "no echo";
  }

  json readyz() { return json::parse(ask(gw_.anonymous(), "GET", "/readyz").body); }
  int readyzStatus() { return ask(gw_.anonymous(), "GET", "/readyz").status; }

  // Polls /readyz until it answers 200 (recovery without restart), at most `limit`.
  bool becomesReady(std::chrono::seconds limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (readyzStatus() == 200) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  // Once space is back: nothing refused was stored, nothing acknowledged was lost, the log
  // verifies and holds no outbox row unrecorded.
  void checkAfterRecovery() {
    for (const auto& [id, email] : refused_writes_)
      EXPECT_NE(emailOf(id), email) << "a write answered 503 was stored";
    for (const auto& [id, email] : acknowledged_)
      EXPECT_EQ(emailOf(id), email) << "an acknowledged write was lost";
    const auto& log = gw_.gateway().app().auditLog();
    const auto report =
        audit::verifyLog(*audit::storeSource(log.store()), {log.publicKeyHex(), {}, {}});
    EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems.front());
  }

  HttpsClient dept() const { return gw_.asPartner("departement"); }
  std::size_t refused() const { return refused_; }

 private:
  TestGateway& gw_;
  std::size_t refused_ = 0;
  std::vector<std::pair<std::string, std::string>> refused_writes_;
  std::map<std::string, std::string> acknowledged_;
  std::map<std::string, json> contacts_;
};

// Installed, and watching the temporary directory, before the gateway opens anything.
FaultVfs& watchedVfs() {
  auto& vfs = FaultVfs::instance();
  vfs.watch(std::filesystem::temp_directory_path());
  return vfs;
}

TEST(FullDiskTest, AnInjectedFullDiskIsRefusedCleanlyReportedAndRecoveredWithoutRestart) {
  auto& vfs = watchedVfs();
  TestGateway gw;
  FullDisk disk(gw);
  const auto id = disk.createDossier(0);
  ASSERT_EQ(disk.writeEmail(id, "avant@exemple.invalid"), 200);
  ASSERT_EQ(disk.readyzStatus(), 200);
  EXPECT_EQ(disk.readyz()["policy_version"], gw.gateway().app().policyVersion());

  vfs.failAt(1, SQLITE_FULL, FaultVfs::Mode::until_healed);
  EXPECT_EQ(disk.writeEmail(id, "pendant@exemple.invalid"), 503);
  // A read cannot be recorded either: refused, and it discloses nothing.
  const auto read = ask(disk.dept(), "GET", "/v1/dossiers/" + id, withPurpose());
  EXPECT_EQ(read.status, 503);
  FullDisk::expectCleanRefusal(read);
  EXPECT_EQ(read.body.find("avant@exemple.invalid"), std::string::npos);

  const auto not_ready = ask(gw.anonymous(), "GET", "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.content_type, "application/problem+json");
  const auto reasons = json::parse(not_ready.body)["reasons"];
  EXPECT_NE(std::find(reasons.begin(), reasons.end(), "audit_log_not_writable"), reasons.end())
      << not_ready.body;
  EXPECT_NE(std::find(reasons.begin(), reasons.end(), "store_not_writable"), reasons.end())
      << not_ready.body;
  EXPECT_EQ(ask(gw.anonymous(), "GET", "/healthz").status, 200) << "liveness is not readiness";

  // Idle and failing, the gateway backs off instead of retrying at once for ever (it spun a core
  // and wrote megabytes of log before). Probes within a second share one answer.
  const auto before = vfs.operations();
  for (int i = 0; i < 20; ++i) EXPECT_EQ(disk.readyzStatus(), 503);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_LT(vfs.operations() - before, 40u) << "writes attempted while idle on a full disk";

  vfs.heal();
  ASSERT_TRUE(disk.becomesReady(std::chrono::seconds(10))) << disk.readyz().dump();
  EXPECT_EQ(disk.writeEmail(id, "apres@exemple.invalid"), 200);
  EXPECT_EQ(ask(disk.dept(), "GET", "/v1/dossiers/" + id, withPurpose()).status, 200);
  disk.checkAfterRecovery();
  vfs.reset();
}

// A tmpfs of its own, in a mount namespace of this process only (gone with it, whatever
// happens); nothing if this machine does not allow it.
std::optional<std::string> mountSmallFilesystem(const std::filesystem::path& where,
                                                const std::string& size) {
  if (::geteuid() != 0) return "the test does not run as root";
  if (::unshare(CLONE_NEWNS) != 0) return std::string("unshare: ") + std::strerror(errno);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    return std::string("mount --make-rprivate /: ") + std::strerror(errno);
  std::filesystem::create_directories(where);
  const auto options = "size=" + size;
  if (::mount("tmpfs", where.c_str(), "tmpfs", 0, options.c_str()) != 0)
    return std::string("mount tmpfs: ") + std::strerror(errno);
  return std::nullopt;
}

// Fills the filesystem holding `file` until a write fails for want of space.
void fill(const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  const std::string chunk(64 * 1024, 'f');
  while (out.write(chunk.data(), static_cast<std::streamsize>(chunk.size())) && out.flush()) {
  }
}

TEST(FullDiskTest, ARealFullFilesystemIsRefusedCleanlyAndRecoveredWithoutRestart) {
  TempDir scratch;
  const auto mnt = scratch / "small";
  if (const auto why = mountSmallFilesystem(mnt, "24m"))
    GTEST_SKIP() << "no small filesystem could be mounted here (" << *why
                 << "); the injected SQLITE_FULL test covers the same path";
  // The store, its audit log and its keys on the small filesystem; certificates stay outside.
  TestGateway gw(
      [&](gateway::GatewayConfig& config) { config.sqlite_file = mnt / "passerelle.db"; });
  FullDisk disk(gw);
  std::vector<std::string> ids;
  for (std::size_t i = 0; i < 3; ++i) {
    ids.push_back(disk.createDossier(i));
    ASSERT_EQ(disk.writeEmail(ids.back(), "avant@exemple.invalid"), 200);
  }
  ASSERT_EQ(disk.readyzStatus(), 200);

  fill(mnt / "filler");
  // Writes until the disk refuses one: SQLite reuses a reset WAL's space, so the first few may
  // still fit.
  int attempts = 0;
  for (; attempts < 200 && disk.refused() == 0; ++attempts)
    disk.writeEmail(ids[static_cast<std::size_t>(attempts) % ids.size()],
                    "plein" + std::to_string(attempts) + "@exemple.invalid");
  ASSERT_GT(disk.refused(), 0u) << "the filesystem never filled up";
  EXPECT_EQ(disk.readyzStatus(), 503) << disk.readyz().dump();

  std::filesystem::remove(mnt / "filler");
  ASSERT_TRUE(disk.becomesReady(std::chrono::seconds(10))) << disk.readyz().dump();
  EXPECT_EQ(disk.writeEmail(ids[0], "libre@exemple.invalid"), 200);
  disk.checkAfterRecovery();
  gw.close();
  ::umount2(mnt.c_str(), MNT_DETACH);
}

}  // namespace
}  // namespace passerelle::testing
