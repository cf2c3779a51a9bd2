// A change stored always has its audit entry, and a request answered with an error changed
// nothing (issue 21, §1 and §2), across I/O errors, full disks and power cuts. Each test loops
// over N: the Nth write or sync the request makes to the store's files fails (fault_vfs.hpp),
// then the gateway reopens its files as after a restart, and the invariant, the outbox and
// `audit verify` are checked. The loop ends at the first N past the request's last operation,
// so that every point of every request is covered.
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "fault_vfs.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

struct Outcome {
  bool answered = false;  // false: the connection failed before an answer
  int status = 0;
  std::string body;
};

class WriteAuditAtomicityTest : public ::testing::Test {
 protected:
  // The request the fault hits, sent with its own request id; never throws.
  Outcome send(const HttpsClient& client, const std::string& method, const std::string& path,
               const std::string& request_id, std::map<std::string, std::string> headers,
               const std::optional<std::string>& body = std::nullopt) {
    headers["X-Request-Id"] = request_id;
    try {
      const auto r = client.request(method, path, headers, body);
      return {true, r.status, r.body};
    } catch (const std::exception&) {
      return {};
    }
  }

  // Reopens every file as a new process would; with a power cut, what was not synced is undone
  // as the files close.
  void reopen() {
    gw_.restart([&](gateway::GatewayConfig&) { vfs_.reset(); });
  }

  // The log's entries for one request id.
  std::vector<json> entriesOf(const std::string& request_id) {
    std::vector<json> out;
    gw_.gateway().app().auditLog().store().forEachRow(0, [&](const store::AuditRow& row) {
      if (!row.entry) return;
      auto entry = json::parse(*row.entry);
      if (entry["request_id"] == request_id) out.push_back(std::move(entry));
    });
    return out;
  }

  // What must hold after every fault: the log verifies, and no outbox row is left unrecorded.
  void checkLogAndOutbox() {
    const auto report =
        audit::verifyLog(*audit::storeSource(gw_.gateway().app().auditLog().store()),
                         {gw_.gateway().app().auditLog().publicKeyHex(), {}, {}});
    EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems.front());
    EXPECT_EQ(gw_.gateway().app().pendingAudit().waiting(), 0u);
    // At start, rows an entry claims are deleted and the others recorded: none is left.
    Poco::Data::Session db("SQLite", gw_.config().sqlite_file.string());
    int rows = -1;
    db << "SELECT COUNT(*) FROM audit_outbox", Poco::Data::Keywords::into(rows),
        Poco::Data::Keywords::now;
    EXPECT_EQ(rows, 0);
  }

  // Distinct people: the generator keeps the NIRs of its first 999,000 people apart.
  static const json& person(std::size_t index) {
    static const auto people = testdata::syntheticDossiers(3000);
    return people.at(index);
  }

  std::string createDossier(std::size_t index) {
    const auto& person = WriteAuditAtomicityTest::person(index);
    const auto r = caf().request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                                 testdata::cafPushOf(person).dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().value("id", "");
  }

  std::string pseudonymOf(const std::string& id) {
    return gw_.gateway().app().pseudonyms().of(*core::DossierId::parse(id));
  }

  // Runs `attempt(n)` with the nth operation failing, for n = 1, 2, ... until the fault no
  // longer fires; `check(n, outcome)` runs after the reopen. PASSERELLE_FAULT_STRIDE=k takes
  // every kth n only: the sanitizer build (five times slower) samples the operations that the
  // optimised build covers one by one.
  template <class Prepare, class Run, class Check>
  void everyFault(FaultVfs::Mode mode, int code, Prepare prepare, Run run, Check check) {
    const char* stride_env = std::getenv("PASSERELLE_FAULT_STRIDE");
    const std::uint64_t stride = stride_env != nullptr ? std::max(1, std::atoi(stride_env)) : 1;
    for (std::uint64_t n = 1; n < 500; n += stride) {
      SCOPED_TRACE("fault at operation " + std::to_string(n));
      const auto prepared = prepare(static_cast<int>(n));
      vfs_.failAt(n, code, mode);
      const auto outcome = run(prepared);
      const bool fired = vfs_.fired();
      if (mode != FaultVfs::Mode::power_cut) vfs_.heal();
      reopen();
      check(prepared, outcome);
      checkLogAndOutbox();
      if (::testing::Test::HasFailure()) return;
      if (!fired) {
        EXPECT_GT(n, 2 * stride) << "the request made fewer operations than expected";
        return;
      }
    }
    FAIL() << "the faults never ended";
  }

  // Installed, and watching the temporary directory (this test's files only), before the gateway
  // opens anything: a file is watched or not from its opening.
  static FaultVfs& watchedVfs() {
    auto& vfs = FaultVfs::instance();
    vfs.watch(std::filesystem::temp_directory_path());
    return vfs;
  }
  FaultVfs& vfs_ = watchedVfs();
  TestGateway gw_;
  // Clients are made afresh: a reopened gateway listens on a new port.
  HttpsClient caf() const { return gw_.asPartner("caf"); }
  HttpsClient dept() const { return gw_.asPartner("departement"); }
};

TEST_F(WriteAuditAtomicityTest, ASectionWriteIsStoredWithItsEntryOrNotAtAll) {
  const auto id = createDossier(0);
  const auto contact = [&] {
    const auto r = dept().request("GET", "/v1/dossiers/" + id + "/sections/contact", withPurpose());
    return r.status == 200 ? r.json() : json();
  };
  const auto base = contact();
  ASSERT_TRUE(base.is_object());
  for (const auto mode : {FaultVfs::Mode::power_cut, FaultVfs::Mode::once}) {
    SCOPED_TRACE(mode == FaultVfs::Mode::power_cut ? "power cut" : "one I/O error");
    const std::string tag = mode == FaultVfs::Mode::power_cut ? "cut" : "once";
    everyFault(
        mode, SQLITE_IOERR_WRITE,
        [&](int n) {
          const auto name = tag + std::to_string(n);
          return std::pair<std::string, std::string>("write-" + name, name + "@exemple.invalid");
        },
        [&](const std::pair<std::string, std::string>& p) {
          auto body = base;
          body["email"] = p.second;
          return send(dept(), "PUT", "/v1/dossiers/" + id + "/sections/contact", p.first,
                      withPurpose(), body.dump());
        },
        [&](const std::pair<std::string, std::string>& p, const Outcome& outcome) {
          const bool stored = contact().value("email", "") == p.second;
          const auto entries = entriesOf(p.first);
          if (outcome.answered && outcome.status >= 400) {
            EXPECT_FALSE(stored) << "answered " << outcome.status << " but stored";
          }
          if (outcome.answered && outcome.status < 300) {
            EXPECT_TRUE(stored) << "acknowledged but lost";
            EXPECT_FALSE(entries.empty()) << "acknowledged without its entry";
          }
          if (stored) {
            ASSERT_FALSE(entries.empty()) << "stored without an entry";
            EXPECT_EQ(entries.back()["decision"], "allow");
            EXPECT_EQ(entries.back()["person"], pseudonymOf(id));
            EXPECT_EQ(entries.back()["action"], "section_write");
          }
        });
  }
}

TEST_F(WriteAuditAtomicityTest, AReadAnsweredIsAuditedAndAReadRefusedDisclosesNothing) {
  const auto id = createDossier(0);
  const auto email = dept()
                         .request("GET", "/v1/dossiers/" + id, withPurpose())
                         .json()["sections"]["contact"]["email"];
  ASSERT_TRUE(email.is_string());
  for (const auto mode : {FaultVfs::Mode::power_cut, FaultVfs::Mode::once}) {
    const std::string tag = mode == FaultVfs::Mode::power_cut ? "cut" : "once";
    everyFault(
        mode, SQLITE_IOERR_WRITE, [&](int n) { return "read-" + tag + std::to_string(n); },
        [&](const std::string& request_id) {
          return send(dept(), "GET", "/v1/dossiers/" + id, request_id, withPurpose());
        },
        [&](const std::string& request_id, const Outcome& outcome) {
          const auto entries = entriesOf(request_id);
          if (outcome.answered && outcome.status == 200) {
            ASSERT_EQ(entries.size(), 1u) << "a disclosure without its entry";
            EXPECT_EQ(entries[0]["decision"], "allow");
            EXPECT_FALSE(entries[0]["disclosed"].empty());
          } else {
            EXPECT_EQ(outcome.body.find(email.get<std::string>()), std::string::npos);
            if (outcome.answered) {
              EXPECT_EQ(outcome.status, 503) << outcome.body;
            }
          }
        });
  }
}

TEST_F(WriteAuditAtomicityTest, AnErasureIsDoneWithItsEntryOrNotAtAll) {
  for (const auto mode : {FaultVfs::Mode::power_cut, FaultVfs::Mode::once}) {
    const std::string tag = mode == FaultVfs::Mode::power_cut ? "cut" : "once";
    everyFault(
        mode, SQLITE_IOERR_WRITE,
        [&](int n) {
          return std::pair<std::string, std::string>(
              "erase-" + tag + std::to_string(n),
              createDossier(static_cast<std::size_t>(n) +
                            (mode == FaultVfs::Mode::power_cut ? 1 : 100)));
        },
        [&](const std::pair<std::string, std::string>& p) {
          return send(dept(), "DELETE", "/v1/dossiers/" + p.second, p.first, {},
                      json{{"reason", "demande de la personne (RGPD art. 17)"}}.dump());
        },
        [&](const std::pair<std::string, std::string>& p, const Outcome& outcome) {
          const auto read = dept().request("GET", "/v1/dossiers/" + p.second, withPurpose());
          const bool erased = read.status == 404;
          const auto entries = entriesOf(p.first);
          if (outcome.answered && outcome.status >= 400) {
            EXPECT_FALSE(erased) << "answered " << outcome.status << " but erased";
          }
          if (outcome.answered && outcome.status < 300) {
            EXPECT_TRUE(erased) << "acknowledged but not erased";
          }
          if (erased) {
            ASSERT_FALSE(entries.empty()) << "erased without an entry";
            EXPECT_EQ(entries.back()["action"], "dossier_erase");
            EXPECT_EQ(entries.back()["person"], pseudonymOf(p.second));
          } else {
            // Not erased means untouched: its sections still open under its key.
            ASSERT_EQ(read.status, 200) << read.body;
            EXPECT_TRUE(read.json()["sections"]["contact"]["email"].is_string()) << read.body;
          }
        });
  }
}

// An import (NDJSON, as the CAF sends it): one person new (created, the CAF attached as its
// source), one the Département opened with its identity only (matched: the CAF attached and its
// sections written). Each person's writes are one transaction with its entry's outbox row: after
// any fault, a dossier exists with its source relationship or not at all, a matched person has
// the CAF's sections and relationship or neither, whatever is stored has its entry, and a
// record reported refused (or a request answered with an error) stored nothing.
TEST_F(WriteAuditAtomicityTest, AnImportRecordIsStoredWithItsEntryOrNotAtAll) {
  // Rows of the dossiers' database, read as a new process would.
  const auto count = [&](const std::string& sql, const std::string& id) {
    Poco::Data::Session db("SQLite", gw_.config().sqlite_file.string());
    int n = 0;
    db << sql, Poco::Data::Keywords::bind(id), Poco::Data::Keywords::into(n),
        Poco::Data::Keywords::now;
    return n;
  };
  const auto cafAttached = [&](const std::string& id) {
    return count("SELECT COUNT(*) FROM relationships WHERE dossier_id = ? AND partner_id = 'caf'",
                 id) > 0;
  };
  const auto sectionsOf = [&](const std::string& id) {
    return count("SELECT COUNT(DISTINCT section) FROM section_versions WHERE dossier_id = ?", id);
  };
  struct Import {
    std::string request_id;
    json fresh, known;     // the two persons' lines
    std::string known_id;  // the dossier the Département opened
    int known_sections = 0;
  };
  int stops = 0;  // imports the store's failure ended early, answered with their report
  for (const auto mode : {FaultVfs::Mode::power_cut, FaultVfs::Mode::once}) {
    const std::string tag = mode == FaultVfs::Mode::power_cut ? "cut" : "once";
    const std::size_t offset =
        mode == FaultVfs::Mode::power_cut ? 1000 : 2000;  // 500 faults each at most
    everyFault(
        mode, SQLITE_IOERR_WRITE,
        [&](int n) {
          Import in;
          in.request_id = "import-" + tag + std::to_string(n);
          in.fresh = testdata::cafPushOf(person(offset + 2 * static_cast<std::size_t>(n)));
          in.known = testdata::cafPushOf(person(offset + 2 * static_cast<std::size_t>(n) + 1));
          // The Département writes no NIR: the CAF matches on its household matricule.
          json opened = {{"identite", in.known["identite"]},
                         {"identifiants", in.known["identifiants"]}};
          opened["identite"].erase("nir");
          const auto r =
              dept().request("POST", "/v1/dossiers", withPurpose("instruction_rsa"), opened.dump());
          EXPECT_EQ(r.status, 201) << r.body;
          in.known_id = r.json().value("id", "");
          in.known_sections = sectionsOf(in.known_id);
          return in;
        },
        [&](const Import& in) {
          auto headers = withPurpose("instruction_rsa");
          headers["Content-Type"] = "application/x-ndjson";
          return send(caf(), "POST", "/v1/imports/ndjson", in.request_id, headers,
                      in.fresh.dump() + "\n" + in.known.dump() + "\n");
        },
        [&](const Import& in, const Outcome& outcome) {
          const auto lookup = dept().request(
              "GET", "/v1/dossiers?nir=" + in.fresh["identite"]["nir"].get<std::string>(),
              withPurpose());
          const auto fresh_id = lookup.status == 200 ? lookup.json().value("id", "") : "";
          const bool fresh_stored = !fresh_id.empty();
          const bool known_attached = cafAttached(in.known_id);
          const bool known_written = sectionsOf(in.known_id) > in.known_sections;
          if (fresh_stored) {
            EXPECT_TRUE(cafAttached(fresh_id)) << "created without its source relationship";
          }
          EXPECT_EQ(known_attached, known_written)
              << "a match attached without its sections, or the other way round";
          const auto entries = entriesOf(in.request_id);
          const auto entryFor = [&](const std::string& id) {
            return std::any_of(entries.begin(), entries.end(), [&](const json& e) {
              return e["action"] == "dossier_import" && e["decision"] == "allow" &&
                     e["person"] == pseudonymOf(id);
            });
          };
          if (fresh_stored) {
            EXPECT_TRUE(entryFor(fresh_id)) << "a dossier created without its entry";
          }
          if (known_written) {
            EXPECT_TRUE(entryFor(in.known_id)) << "a match written without its entry";
          }
          if (outcome.answered && outcome.status >= 400) {
            EXPECT_FALSE(fresh_stored) << "answered " << outcome.status << " but created";
            EXPECT_FALSE(known_written) << "answered " << outcome.status << " but written";
          }
          if (outcome.answered && outcome.status == 200) {
            const auto report = json::parse(outcome.body);
            std::set<int> refused;
            for (const auto& r : report["rejections"])
              refused.insert(r["position"]["line"].get<int>());
            // A store failure ends the import: that line and the ones after it were not taken.
            if (report.contains("stopped")) {
              ++stops;
              for (int line = report["stopped"]["position"]["line"].get<int>(); line <= 2; ++line)
                refused.insert(line);
            }
            EXPECT_EQ(fresh_stored, !refused.contains(1)) << outcome.body;
            EXPECT_EQ(known_written, !refused.contains(2)) << outcome.body;
          }
        });
  }
  EXPECT_GT(stops, 0) << "no fault ended an import early: the stop was not exercised";
}

}  // namespace
}  // namespace passerelle::testing
