// The audit log through the real server: what each request records, the DPO's search and CSV,
// the person's report with proofs, checkpoints and proofs for partners, concurrency, an audit
// log that cannot write, and the `passerelle audit` commands on the result.
#include <Poco/Data/Session.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "command.hpp"
#include "passerelle/audit/checkpoint.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "test_gateway.hpp"

namespace passerelle::testing {
namespace {

using nlohmann::json;

std::uint64_t auditIndex(const HttpResult& r) {
  const auto text = r.header("X-Audit-Entry");
  EXPECT_FALSE(text.empty()) << "every logged response names its audit entry";
  return text.empty() ? ~0ull : std::stoull(text);
}

std::vector<crypto::Hash> hashes(const json& list) {
  std::vector<crypto::Hash> out;
  for (const auto& h : list) out.push_back(audit::hashFromHex(h.get<std::string>()));
  return out;
}

class AuditApiTest : public ::testing::Test {
 protected:
  AuditApiTest()
      : caf_(gw_.asPartner("caf")),
        dept_(gw_.asPartner("departement")),
        ml_(gw_.asPartner("mission-locale")),
        dpo_(gw_.asPartner("dpo")) {}

  // A dossier created by the CAF; returns the response.
  HttpResult create(int n = 1) {
    const auto person = testdata::syntheticDossiers(n + 1)[n];
    return caf_.request("POST", "/v1/dossiers", withPurpose("instruction_rsa"),
                        testdata::cafPushOf(person).dump());
  }

  json search(const std::string& query) {
    const auto r = dpo_.request("GET", "/v1/audit/entries?" + query);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.json()["entries"];
  }

  std::string publicKey() { return gw_.gateway().app().signer().publicKeyHex(); }

  TestGateway gw_;
  HttpsClient caf_, dept_, ml_, dpo_;
};

TEST_F(AuditApiTest, EachRequestRecordsWhatItDid) {
  const auto created = create();
  ASSERT_EQ(created.status, 201) << created.body;
  const auto id = created.json()["id"].get<std::string>();
  const auto matched = create();
  ASSERT_EQ(matched.status, 200);
  const auto read = dept_.request("GET", "/v1/dossiers/" + id, withPurpose());
  ASSERT_EQ(read.status, 200);
  const auto refused = ml_.request("GET", "/v1/dossiers/" + id, withPurpose());
  ASSERT_EQ(refused.status, 404);
  const json orientation = {{"type", "socio_professionnelle"},
                            {"structure_referente", "mission-locale"},
                            {"date_decision", "2026-10-01"}};
  const auto wrote = dept_.request("PUT", "/v1/dossiers/" + id + "/sections/orientation",
                                   withPurpose(), orientation.dump());
  ASSERT_EQ(wrote.status, 201);
  const auto partial = ml_.request("GET", "/v1/dossiers/" + id, withPurpose());  // now attached
  ASSERT_EQ(partial.status, 200);
  auto headers = withPurpose();
  headers["Authorization"] = "Bearer not-a-token";
  const auto anonymous = gw_.anonymous().request("GET", "/v1/dossiers/" + id, headers);
  ASSERT_EQ(anonymous.status, 401);

  const auto entries = search("person=" + id);
  struct Expected {
    const HttpResult* response;
    std::string action, partner, decision;
    int status;
  };
  const std::vector<Expected> expected = {
      {&created, "dossier_create", "caf", "allow", 201},
      {&matched, "dossier_match", "caf", "allow", 200},
      {&read, "dossier_read", "departement", "allow", 200},
      {&refused, "dossier_read", "mission-locale", "deny", 404},
      {&wrote, "section_write", "departement", "allow", 201},
      {&partial, "dossier_read", "mission-locale", "partial", 200},
      {&anonymous, "dossier_read", "", "deny", 401},
  };
  ASSERT_EQ(entries.size(), expected.size()) << entries.dump(1);
  const auto person = gw_.gateway().app().pseudonyms().of(*core::DossierId::parse(id));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const auto& e = entries[i];
    const auto& x = expected[i];
    SCOPED_TRACE(e.dump());
    EXPECT_EQ(e["index"], auditIndex(*x.response));
    EXPECT_EQ(e["action"], x.action);
    EXPECT_EQ(e["partner"], x.partner);
    EXPECT_EQ(e["decision"], x.decision);
    EXPECT_EQ(e["status"], x.status);
    EXPECT_EQ(e["person"], person);
    EXPECT_EQ(e["request_id"], x.response->header("X-Request-Id"));
    EXPECT_EQ(e.dump().find(id), std::string::npos) << "the log names no dossier id";
  }
  // What was written and read, and on which grounds.
  EXPECT_FALSE(entries[0]["written"].empty());
  auto contains = [](const json& list, const json& item) {
    return std::find(list.begin(), list.end(), item) != list.end();
  };
  EXPECT_TRUE(contains(entries[2]["disclosed"], "/identite/nir"));
  EXPECT_EQ(entries[2]["rules"], json({"dep-lecture"}));
  EXPECT_TRUE(entries[3]["disclosed"].empty());
  EXPECT_EQ(entries[4]["written"], json({"/orientation/date_decision",
                                         "/orientation/structure_referente", "/orientation/type"}));
  EXPECT_TRUE(contains(entries[5]["disclosed"], "/identite/nom_naissance"));
  EXPECT_FALSE(contains(entries[5]["disclosed"], "/identite/nir"));
  EXPECT_TRUE(
      contains(entries[5]["withheld"], {{"field", "/identite/nir"}, {"reason", "not_in_policy"}}));
  EXPECT_EQ(entries[0]["purpose"], "instruction_rsa");
  EXPECT_EQ(entries[6]["credential"].get<std::string>().rfind("token:", 0), 0u);
  EXPECT_EQ(entries[2]["credential"].get<std::string>().rfind("cert:", 0), 0u);

  // The search itself is logged, against the person it looked at.
  const auto again = search("person=" + id + "&action=audit_search");
  ASSERT_EQ(again.size(), 1u);
  EXPECT_EQ(again[0]["partner"], "dpo");
  EXPECT_EQ(again[0]["decision"], "allow");
}

TEST_F(AuditApiTest, OnlyTheDpoSearchesAndARefusalIsLoggedAsDenied) {
  const auto r = dept_.request("GET", "/v1/audit/entries");
  EXPECT_EQ(r.status, 403);
  const auto denied = search("partner=departement&decision=deny&action=audit_search");
  ASSERT_EQ(denied.size(), 1u);
  EXPECT_EQ(denied[0]["index"], auditIndex(r));
  EXPECT_EQ(dept_.request("GET", "/v1/audit/persons/d" + std::string(26, 'a') + "/report").status,
            403);
  // Filters are checked, not ignored.
  EXPECT_EQ(dpo_.request("GET", "/v1/audit/entries?decision=maybe").status, 400);
  EXPECT_EQ(dpo_.request("GET", "/v1/audit/entries?colour=blue").status, 400);
  EXPECT_EQ(dpo_.request("GET", "/v1/audit/entries?from=yesterday").status, 400);
  EXPECT_EQ(dpo_.request("GET", "/v1/audit/entries?limit=0").status, 400);
}

TEST_F(AuditApiTest, SearchesPageAndExportAsCsv) {
  for (int i = 0; i < 5; ++i) dept_.request("GET", "/v1/audit/checkpoint");
  const auto page = dpo_.request("GET", "/v1/audit/entries?partner=departement&limit=3");
  ASSERT_EQ(page.status, 200);
  const auto first = page.json();
  ASSERT_EQ(first["entries"].size(), 3u);
  const auto next = first["next_after"].get<std::uint64_t>();
  const auto rest = search("partner=departement&after=" + std::to_string(next));
  EXPECT_EQ(rest.size(), 2u);
  EXPECT_GT(rest[0]["index"].get<std::uint64_t>(), next);

  const auto csv =
      dpo_.request("GET", "/v1/audit/entries?partner=departement", {{"Accept", "text/csv"}});
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.header("Content-Type").rfind("text/csv", 0), 0u);
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto end = csv.body.find("\r\n"); end != std::string::npos;
       start = end + 2, end = csv.body.find("\r\n", start))
    lines.push_back(csv.body.substr(start, end - start));
  ASSERT_EQ(lines.size(), 6u) << csv.body;
  EXPECT_EQ(lines[0].rfind("index,time,partner,credential,purpose,action,", 0), 0u);
  EXPECT_NE(lines[1].find(",departement,"), std::string::npos);
  EXPECT_NE(lines[1].find(",audit_checkpoint,"), std::string::npos);
}

TEST_F(AuditApiTest, ThePersonReportListsEveryAccessWithAProof) {
  const auto id = create().json()["id"].get<std::string>();
  dept_.request("GET", "/v1/dossiers/" + id, withPurpose());
  ml_.request("GET", "/v1/dossiers/" + id, withPurpose());
  create(2);  // someone else
  const auto r = dpo_.request("GET", "/v1/audit/persons/" + id + "/report");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto report = r.json();
  const auto head = audit::Checkpoint::fromJson(report["checkpoint"]);
  EXPECT_TRUE(head.signatureValid());
  EXPECT_EQ(head.public_key, publicKey());
  const auto& entries = report["entries"];
  ASSERT_EQ(entries.size(), 3u) << report.dump(1);
  EXPECT_EQ(entries[0]["action_label"], "création du dossier");
  EXPECT_EQ(entries[0]["partner_name"], "CAF de démonstration");
  EXPECT_EQ(entries[1]["action_label"], "consultation du dossier");
  EXPECT_EQ(entries[2]["decision_label"], "refusé");
  bool labelled = false;
  for (const auto& f : entries[1]["fields_disclosed"])
    labelled = labelled || (f["field"] == "/identite/nir" && f["label"] == "NIR");
  EXPECT_TRUE(labelled) << entries[1].dump();
  for (const auto& e : entries) {
    const auto leaf = crypto::leafHash(e["entry"].get<std::string>());
    EXPECT_EQ(audit::hashHex(leaf), e["leaf_hash"]);
    EXPECT_TRUE(crypto::verifyInclusion(leaf, e["index"].get<std::uint64_t>(), head.tree_size,
                                        hashes(e["inclusion_proof"]), head.root_hash))
        << e.dump();
  }
}

TEST_F(AuditApiTest, PartnersGetCheckpointsAndProofsThatTheLogOnlyGrows) {
  const auto a = caf_.request("GET", "/v1/audit/checkpoint");
  ASSERT_EQ(a.status, 200) << a.body;
  const auto older = audit::Checkpoint::fromJson(a.json());
  EXPECT_TRUE(older.signatureValid());
  const auto mine = create();
  dept_.request("GET", "/v1/audit/checkpoint");
  const auto b = caf_.request("POST", "/v1/audit/checkpoint");
  ASSERT_EQ(b.status, 201);
  const auto newer = audit::Checkpoint::fromJson(b.json());
  ASSERT_GT(newer.tree_size, older.tree_size);

  const auto c =
      caf_.request("GET", "/v1/audit/proofs/consistency?from=" + std::to_string(older.tree_size) +
                              "&to=" + std::to_string(newer.tree_size));
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_TRUE(crypto::verifyConsistency(older.tree_size, newer.tree_size, older.root_hash,
                                        newer.root_hash, hashes(c.json()["proof"])));

  // Its own entry comes with its bytes; another partner's entry without them.
  const auto index = auditIndex(mine);
  const auto p = caf_.request("GET", "/v1/audit/proofs/inclusion?index=" + std::to_string(index) +
                                         "&tree_size=" + std::to_string(newer.tree_size));
  ASSERT_EQ(p.status, 200) << p.body;
  const auto proof = p.json();
  const auto leaf = crypto::leafHash(proof["entry"].get<std::string>());
  EXPECT_TRUE(crypto::verifyInclusion(leaf, index, newer.tree_size, hashes(proof["proof"]),
                                      newer.root_hash));
  const auto other = caf_.request(
      "GET", "/v1/audit/proofs/inclusion?index=" + std::to_string(newer.tree_size - 1));
  ASSERT_EQ(other.status, 200) << other.body;
  EXPECT_FALSE(other.json().contains("entry"));

  EXPECT_EQ(caf_.request("GET", "/v1/audit/proofs/inclusion?index=999999").status, 400);
  EXPECT_EQ(caf_.request("GET", "/v1/audit/proofs/inclusion?index=-1").status, 400);
  EXPECT_EQ(caf_.request("GET", "/v1/audit/proofs/consistency?from=5&to=2").status, 400);
  EXPECT_EQ(caf_.request("GET", "/v1/audit/proofs/consistency").status, 400);
  EXPECT_EQ(gw_.anonymous().request("GET", "/v1/audit/checkpoint").status, 401);
}

TEST_F(AuditApiTest, ConcurrentClientsEachGetTheirOwnDurableEntry) {
  const auto id = create().json()["id"].get<std::string>();
  constexpr int kThreads = 8, kEach = 15;
  std::vector<std::vector<std::pair<std::uint64_t, std::string>>> seen(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      const auto client = gw_.asPartner(t % 2 ? "departement" : "caf");
      for (int i = 0; i < kEach; ++i) {
        const auto r = client.request("GET", "/v1/dossiers/" + id,
                                      withPurpose(t % 2 ? "accompagnement" : "instruction_rsa"));
        if (r.status == 200) seen[t].emplace_back(auditIndex(r), r.header("X-Request-Id"));
      }
    });
  for (auto& t : threads) t.join();
  std::set<std::uint64_t> indexes;
  const auto& log = gw_.gateway().app().auditLog();
  for (const auto& list : seen) {
    ASSERT_EQ(list.size(), static_cast<std::size_t>(kEach));
    for (const auto& [index, request_id] : list) {
      indexes.insert(index);
      const auto row = log.store().row(index);
      ASSERT_TRUE(row && row->entry) << index;
      EXPECT_NE(row->entry->find("\"request_id\":\"" + request_id + "\""), std::string::npos);
    }
  }
  EXPECT_EQ(indexes.size(), static_cast<std::size_t>(kThreads * kEach));
  gw_.gateway().app().auditLog().checkpointNow();
  auto source = audit::storeSource(log.store());
  const auto report = audit::verifyLog(*source, {publicKey(), {}, std::nullopt});
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems.front());
  EXPECT_EQ(report.entries, log.size());
}

TEST(AuditUnavailableTest, AnAccessThatCannotBeRecordedReturnsNoPersonalData) {
  TestGateway gw([](gateway::GatewayConfig& c) { c.audit.busy_timeout_ms = 200; });
  const auto person = testdata::syntheticDossiers(2)[1];
  const auto created = gw.asPartner("caf").request(
      "POST", "/v1/dossiers", withPurpose("instruction_rsa"), testdata::cafPushOf(person).dump());
  const auto id = created.json()["id"].get<std::string>();
  const auto dept = gw.asPartner("departement");
  {
    // Another process holds the audit log's write lock past the busy timeout.
    Poco::Data::Session other("SQLite", app::auditFile(gw.config()).string());
    other << "BEGIN EXCLUSIVE", Poco::Data::Keywords::now;
    const auto r = dept.request("GET", "/v1/dossiers/" + id, withPurpose());
    EXPECT_EQ(r.status, 503);
    EXPECT_NE(r.body.find("audit-unavailable"), std::string::npos);
    EXPECT_EQ(r.body.find(person["identite"]["nom_naissance"].get<std::string>()),
              std::string::npos);
    EXPECT_EQ(r.header("X-Audit-Entry"), "");
    other << "ROLLBACK", Poco::Data::Keywords::now;
  }
  const auto r = dept.request("GET", "/v1/dossiers/" + id, withPurpose());
  EXPECT_EQ(r.status, 200);
  EXPECT_NE(r.body.find(person["identite"]["nom_naissance"].get<std::string>()), std::string::npos);
}

TEST_F(AuditApiTest, TheDepartementErasesADossierWithAReasonAndTheErasureIsLogged) {
  const auto id = create().json()["id"].get<std::string>();
  const auto path = "/v1/dossiers/" + id;
  const std::map<std::string, std::string> json_body = {{"Content-Type", "application/json"}};
  EXPECT_EQ(caf_.request("DELETE", path, json_body, R"({"reason":"x"})").status, 403);
  const auto no_reason = dept_.request("DELETE", path, json_body, "{}");
  EXPECT_EQ(no_reason.status, 422);
  EXPECT_NE(no_reason.body.find("/reason"), std::string::npos);
  EXPECT_EQ(dept_.request("GET", path, withPurpose()).status, 200);

  const auto erased = dept_.request("DELETE", path, json_body,
                                    R"J({"reason":"demande de la personne (RGPD art. 17)"})J");
  ASSERT_EQ(erased.status, 204) << erased.body;
  EXPECT_EQ(dept_.request("GET", path, withPurpose()).status, 404);
  EXPECT_EQ(dept_.request("DELETE", path, json_body, R"({"reason":"again"})").status, 404);
  // The same person pushed again by the CAF is a new dossier: the identifiers were unindexed.
  const auto again = create();
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_NE(again.json()["id"], id);

  const auto entries = search("person=" + id + "&action=dossier_erase");
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[0]["decision"], "deny");
  EXPECT_EQ(entries[1]["decision"], "invalid");
  EXPECT_EQ(entries[2]["decision"], "allow");
  EXPECT_EQ(entries[2]["index"], auditIndex(erased));
  EXPECT_EQ(entries[2].dump().find("RGPD"), std::string::npos) << "the reason stays in the store";
}

// ---- the command line on a log the server wrote ----

CommandResult passerelle(const std::vector<std::string>& args) {
  return runCommand(PASSERELLE_BINARY, args);
}

TEST_F(AuditApiTest, TheVerifyCommandChecksTheStoreAndItsExport) {
  const auto id = create().json()["id"].get<std::string>();
  for (int i = 0; i < 5; ++i) dept_.request("GET", "/v1/dossiers/" + id, withPurpose());
  gw_.gateway().app().auditLog().checkpointNow();
  const auto where = gw_.auditLogOptions();
  const auto key = publicKey();

  const auto verified = passerelle({"audit", "verify", where[0], where[1], "--public-key", key});
  EXPECT_EQ(verified.status, 0) << verified.output;
  EXPECT_NE(verified.output.find("OK"), std::string::npos);

  const auto file = (gw_.dir() / "audit-export.ndjson").string();
  const auto exported = passerelle({"audit", "export", where[0], where[1], "--out", file});
  ASSERT_EQ(exported.status, 0) << exported.output;
  EXPECT_EQ(passerelle({"audit", "export", where[0], where[1], "--out", file}).status, 1)
      << "never overwrites";
  EXPECT_EQ(passerelle({"audit", "verify", "--file", file, "--public-key", key}).status, 0);

  // One byte changed in the export: refused, and the entry named.
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  auto& victim = lines[lines.size() - 3];
  const auto at = victim.find("\\\"status\\\":200");
  ASSERT_NE(at, std::string::npos) << victim;
  victim.replace(at, 15, "\\\"status\\\":500");
  const auto tampered = (gw_.dir() / "tampered.ndjson").string();
  std::ofstream out(tampered);
  for (const auto& l : lines) out << l << '\n';
  out.close();
  const auto failed = passerelle({"audit", "verify", "--file", tampered, "--public-key", key});
  EXPECT_EQ(failed.status, 1);
  const auto index = json::parse(victim)["index"].get<std::uint64_t>();
  EXPECT_NE(failed.output.find("first entry that does not verify is #" + std::to_string(index)),
            std::string::npos)
      << failed.output;

  // The key printed is the one that signs.
  const auto pubkey =
      passerelle({"audit", "pubkey", "--config", (gw_.dir() / "passerelle.json").string()});
  EXPECT_EQ(pubkey.output, key + "\n");
}

// What a client types where an id goes (a NIR, an e-mail address) never reaches the audit log:
// the entry records "invalid" instead, and a well-formed id as it is.
TEST_F(AuditApiTest, OnlyWellFormedIdsAreRecorded) {
  const auto person = testdata::syntheticDossiers(1)[0];
  const std::string id = create(0).json()["id"];
  const std::string nir = person["identite"]["nir"];
  const std::string email = "jean.dupont@example.org";
  const json withdrawal = {{"method", "oral"}, {"collected_by", "Accueil"}};
  const std::vector<std::pair<HttpResult, std::string>> cases = {
      {dept_.request("DELETE", "/v1/dossiers/" + id + "/relationships/" + nir, withPurpose()),
       "relationship"},
      {dept_.request("POST", "/v1/consents/" + email + "/withdraw", withPurpose(),
                     withdrawal.dump()),
       "consent"},
      {gw_.asPartner("evaluateur").request("GET", "/v1/exports/" + nir), "export"},
      {dpo_.request("GET", "/v1/audit/entries?partner=" + nir), "filter.partner"}};
  const auto well_formed = "r" + std::string(26, 'q');
  const auto kept = dept_.request("DELETE", "/v1/dossiers/" + id + "/relationships/" + well_formed,
                                  withPurpose());
  EXPECT_EQ(kept.status, 404);
  const auto entries = dpo_.request("GET", "/v1/audit/entries?limit=100").json()["entries"];
  const auto entryOf = [&](const HttpResult& r) {
    const auto index = std::stoull(r.header("X-Audit-Entry"));
    for (const auto& e : entries)
      if (e["index"] == index) return e;
    ADD_FAILURE() << "no entry " << index;
    return json();
  };
  for (const auto& [response, key] : cases) {
    if (key != "filter.partner") {  // a search with an unknown partner answers 200, empty
      EXPECT_GE(response.status, 400) << key;
    }
    const auto entry = entryOf(response);
    EXPECT_EQ(entry["details"].value(key, ""), "invalid") << key << ": " << entry.dump();
    EXPECT_EQ(entry.dump().find(nir), std::string::npos) << entry.dump();
    EXPECT_EQ(entry.dump().find(email), std::string::npos) << entry.dump();
  }
  EXPECT_EQ(entryOf(kept)["details"]["relationship"], well_formed);
}

// The review's finding: a structure read a dossier, then fetched its own entry through the
// inclusion proof endpoint, whose `withheld` named /sante/handicap_reconnu and
// /sante/suivi_medical, which the answer had hidden. The partner's entry now commits to that
// part by a salted hash; the proof still verifies; only the DPO's views open it.
TEST_F(AuditApiTest, APartnerSeesNoMoreInItsEntryThanInItsAnswer) {
  const std::string id = create(0).json()["id"];
  const json consent = {{"grantee", {{"kind", "departement"}}},
                        {"purpose", "accompagnement"},
                        {"categories", {"sensible"}},
                        {"given_at", "2026-11-01"},
                        {"method", "ecrit"},
                        {"collected_by", "Référent RSA"},
                        {"notice_version", "notice-dui-2026-01"}};
  ASSERT_EQ(dept_.request("POST", "/v1/dossiers/" + id + "/consents", withPurpose(), consent.dump())
                .status,
            201);
  const json sante = {{"handicap_reconnu", true}, {"suivi_medical", true}};
  ASSERT_EQ(
      dept_.request("PUT", "/v1/dossiers/" + id + "/sections/sante", withPurpose(), sante.dump())
          .status,
      201);
  const json orientation = {{"type", "socio_professionnelle"},
                            {"structure_referente", "mission-locale"},
                            {"date_decision", "2026-10-01"}};
  ASSERT_EQ(dept_
                .request("PUT", "/v1/dossiers/" + id + "/sections/orientation", withPurpose(),
                         orientation.dump())
                .status,
            201);

  const auto read = ml_.request("GET", "/v1/dossiers/" + id, withPurpose());
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body.find("/sante/"), std::string::npos) << "the answer hides them";
  const auto index = read.header("X-Audit-Entry");
  const auto own = ml_.request("GET", "/v1/audit/proofs/inclusion?index=" + index).json();
  ASSERT_TRUE(own.contains("entry")) << own.dump();
  const std::string entry = own["entry"];
  EXPECT_EQ(entry.find("/sante/"), std::string::npos) << entry;
  EXPECT_FALSE(own.contains("sensitive"));
  const auto parsed = audit::parseAuditEntry(entry);
  EXPECT_FALSE(parsed.event.sensitive_commitment.empty());
  // The proof verifies from what the partner holds.
  EXPECT_TRUE(crypto::verifyInclusion(crypto::leafHash(entry), std::stoull(index), own["tree_size"],
                                      hashes(own["proof"]),
                                      audit::hashFromHex(own["root_hash"].get<std::string>())));

  // The DPO opens the sensitive part and checks it against the commitment.
  const auto seen = dpo_.request("GET", "/v1/audit/proofs/inclusion?index=" + index).json();
  ASSERT_TRUE(seen.contains("sensitive")) << seen.dump();
  auto opened = audit::parseAuditEntry(seen["entry"].get<std::string>());
  audit::openSensitivePart(opened, seen["sensitive"].get<std::string>());
  std::set<std::string> fields;
  for (const auto& w : opened.event.withheld_sensitive) fields.insert(w.field);
  EXPECT_TRUE(fields.count("/sante/handicap_reconnu")) << seen.dump();
  EXPECT_TRUE(fields.count("/sante/suivi_medical"));
  auto forged = seen["sensitive"].get<std::string>();
  forged.replace(forged.find("suivi_medical"), 13, "suivi_social_");
  EXPECT_THROW(audit::openSensitivePart(opened, forged), audit::AuditFormatError);
  const auto search = dpo_.request("GET", "/v1/audit/entries?partner=mission-locale").json();
  bool listed = false;
  for (const auto& e : search["entries"])
    if (std::to_string(e["index"].get<std::uint64_t>()) == index)
      listed = e.contains("withheld_sensitive_fields");
  EXPECT_TRUE(listed) << search.dump();
  // The store and its export verify, sensitive parts included.
  gw_.gateway().app().auditLog().checkpointNow();
  const auto where = gw_.auditLogOptions();
  const auto key = gw_.gateway().app().signer().publicKeyHex();
  const auto verified =
      runCommand(PASSERELLE_BINARY, {"audit", "verify", where[0], where[1], "--public-key", key});
  EXPECT_EQ(verified.status, 0) << verified.output;
  const auto file = (gw_.dir() / "export.ndjson").string();
  ASSERT_EQ(
      runCommand(PASSERELLE_BINARY, {"audit", "export", where[0], where[1], "--out", file}).status,
      0);
  const auto from_file =
      runCommand(PASSERELLE_BINARY, {"audit", "verify", "--file", file, "--public-key", key});
  EXPECT_EQ(from_file.status, 0) << from_file.output;
}

}  // namespace
}  // namespace passerelle::testing
