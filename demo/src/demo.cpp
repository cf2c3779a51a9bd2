#include "passerelle/demo/demo.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <fstream>
#include <functional>
#include <future>
#include <stdexcept>

#include "passerelle/app/audit_recorder.hpp"
#include "passerelle/audit/pending_entries.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/crypto/sealed_stream.hpp"
#include "passerelle/demo/demo_pki.hpp"
#include "passerelle/gateway/certificate_fingerprint.hpp"
#include "passerelle/policies/policy_set.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace passerelle::demo {

namespace fs = std::filesystem;
using gateway::GatewayConfig;
using gateway::loadConfig;
using nlohmann::json;
using testdata::cafPushOf;
using testdata::syntheticDossiers;
using testdata::writeSyntheticCafFlux;

const std::vector<DemoPartner>& demoPartners() {
  static const std::vector<DemoPartner> partners = {
      {"departement", "departement", "Département de démonstration (93)"},
      {"caf", "caf", "CAF de démonstration"},
      {"france-travail", "france_travail", "France Travail, agence de démonstration"},
      {"mission-locale", "structure_referente", "Mission locale de démonstration"},
      {"evaluateur", "evaluateur", "Évaluateur de démonstration"},
      {"dpo", "dpo", "Délégué à la protection des données (démonstration)"},
  };
  return partners;
}

namespace {

void writeSecretFile(const fs::path& path, const std::string& content) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0)
    throw core::DomainError(core::ErrorKind::unavailable, "cannot create " + path.string());
  const bool ok =
      ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  ::close(fd);
  if (!ok) throw core::DomainError(core::ErrorKind::unavailable, "cannot write " + path.string());
}

void writeJson(const fs::path& path, const json& doc) {
  std::ofstream out(path);
  out << doc.dump(2) << "\n";
  if (!out) throw core::DomainError(core::ErrorKind::unavailable, "cannot write " + path.string());
}

void createDemo(const fs::path& dir) {
  fs::create_directories(dir / "server");
  auto ca = DemoPki::createCa("Passerelle DUI demo CA", dir / "ca.pem", dir / "ca-key.pem");
  ca.issue(DemoPki::Usage::server, "localhost", {"localhost"}, {"127.0.0.1", "::1"},
           dir / "server" / "cert.pem", dir / "server" / "key.pem");

  json partners = json::array();
  std::size_t n = 0;
  for (const auto& p : demoPartners()) {
    const fs::path pdir = dir / "partners" / p.id;
    fs::create_directories(pdir);
    ca.issue(DemoPki::Usage::client, p.id, {}, {}, pdir / "cert.pem", pdir / "key.pem");
    const std::string token = crypto::toHex(crypto::randomBytes(32));
    writeSecretFile(pdir / "token", token + "\n");
    partners.push_back(
        {{"id", p.id},
         {"name", p.name},
         {"kind", p.kind},
         {"siret", "0000000000" + std::to_string(1000 + n++)},
         {"certificate_sha256", {gateway::certificateFingerprint(pdir / "cert.pem")}},
         {"token_sha256", {crypto::sha256Hex(token)}},
         {"dpa_reference", std::string("DEMO-ART28-") + p.id}});
    if (std::string(p.kind) == "evaluateur") {
      // The évaluateur's own key pair for its demo study; in real life only the public half
      // reaches the Département.
      const auto study_keys = crypto::RecipientKeys::generate();
      study_keys.saveSecretFile(pdir / "study.key");
      const auto today = core::nowUtc().substr(0, 10);
      partners.back()["studies"] = {
          {{"id", "etude-demo"},
           {"public_key", study_keys.publicKeyHex()},
           {"profiles", {"annexe-e", "indicateurs"}},
           {"valid_from", "2020-01-01"},
           {"valid_until", std::to_string(std::stoi(today.substr(0, 4)) + 2) + today.substr(4)}}};
    }
  }
  writeJson(dir / "partners.json", {{"partners", partners}});
  // The default sharing policy, as files the Département can edit and reload (SIGHUP).
  fs::create_directories(dir / "policies");
  for (const auto& [name, text] : policies::PolicySet::builtinFiles())
    std::ofstream(dir / "policies" / name) << text;
  crypto::MasterKeys::generate().saveNewFile(dir / "master.key");
  // Written last: its presence means the directory is complete.
  writeJson(dir / "passerelle.json", {{"listen", {{"host", "127.0.0.1"}, {"port", 8443}}},
                                      {"tls",
                                       {{"certificate", "server/cert.pem"},
                                        {"private_key", "server/key.pem"},
                                        {"client_ca", "ca.pem"}}},
                                      {"partners", "partners.json"},
                                      {"policies", "policies"},
                                      {"master_key_file", "master.key"},
                                      {"store", {{"sqlite", "passerelle.db"}}},
                                      {"controller",
                                       {{"name", "Département de démonstration (93)"},
                                        {"contact", "dpo@departement-demo.invalid"}}}});
}

}  // namespace

gateway::GatewayConfig prepareDemoDirectory(const DemoOptions& options) {
  const fs::path dir = fs::absolute(options.dir);
  if (!fs::exists(dir / "passerelle.json")) createDemo(dir);
  auto config = loadConfig(dir / "passerelle.json");
  config.server.host = "127.0.0.1";
  config.server.port = options.port;
  return config;
}

namespace {

// The demo partners as callers.
struct DemoCallers {
  const policies::Partner& caf;
  const policies::Partner& france_travail;
  const policies::Partner& departement;
};

DemoCallers demoCallers(const app::Application& application) {
  auto get = [&](const char* id) -> const policies::Partner& {
    const auto* p = application.registry().byId(core::PartnerId(id));
    if (p == nullptr)
      throw core::DomainError(core::ErrorKind::configuration,
                              std::string("the demo registry has no partner ") + id);
    return *p;
  };
  return {get("caf"), get("france-travail"), get("departement")};
}

// Every write of the demo's people is in the audit log as the API's would be (the access
// report of a demo dossier shows who created and completed it): each write's outbox row is
// stored with the change and its entry claims it (docs/ARCHITECTURE.md, "A change and its audit
// entry"). Entries are submitted as people are written and awaited in batches, as an import's.
class DemoAudit {
 public:
  explicit DemoAudit(app::AuditRecorder& audit) : audit_(audit) {}
  ~DemoAudit() {
    for (auto& s : submitted_) settle(s);
  }

  // Runs `write` (which returns what it wrote) as `caller`, then records it.
  void record(const dossiers::Caller& caller, audit::AuditAction action, int status,
              const std::function<app::AuditNote()>& write) {
    const app::Actor actor{caller.partner.id, "demo", caller.purpose, core::RequestId("demo")};
    store::PendingAuditScope writes([&] {
      return audit::pendingContext(audit_.entry(actor, action, {}, 0, std::nullopt, false));
    });
    const auto note = write();
    auto event =
        audit_.entry(actor, note.action.value_or(action), note, status, std::nullopt, true);
    auto claims = writes.claim();
    auto done = audit_.log().submit(event, claims);
    submitted_.push_back({std::move(done), std::move(event), std::move(claims)});
    if (submitted_.size() >= 512) {
      settle(submitted_.front());
      submitted_.pop_front();
    }
  }

 private:
  struct Submitted {
    std::future<audit::Appended> done;
    audit::AuditEvent event;
    std::vector<std::string> claims;
  };
  // The change is stored: an entry the log could not take waits in the outbox.
  void settle(Submitted& s) {
    try {
      s.done.get();
      audit_.pending().retire(std::move(s.claims));
    } catch (const audit::AuditUnavailable&) {
      audit_.pending().adopt(std::move(s.event), std::move(s.claims));
    }
  }

  app::AuditRecorder& audit_;
  std::deque<Submitted> submitted_;
};

app::AuditNote created(const dossiers::CreateResult& result) {
  app::AuditNote note;
  note.person = result.id;
  note.recordWrite(result.decision);
  if (result.matched) note.action = audit::AuditAction::dossier_match;
  return note;
}

app::AuditNote written(const core::DossierId& id, const dossiers::WriteResult& result) {
  app::AuditNote note;
  note.person = id;
  note.recordWrite(result.decision);
  return note;
}

// One synthetic person enters the gateway the way real partners would bring them in, through
// the sharing policy like any request: the CAF creates the dossier from its RSA flux, France
// Travail matches it and adds the professional situation, the Département completes the rest,
// recording the person's consent before any health information.
void bringIn(app::Application& application, DemoAudit& log, const DemoCallers& who,
             const json& person, bool consents_to_health) {
  auto& service = application.dossiers();
  const dossiers::Caller caf{who.caf, core::Purpose::instruction_rsa};
  const dossiers::Caller ft{who.france_travail, core::Purpose::accompagnement};
  const dossiers::Caller dep{who.departement, core::Purpose::accompagnement};
  const auto any = store::Precondition::any();
  using audit::AuditAction;
  const auto write = [&](const dossiers::Caller& caller, const core::DossierId& id,
                         core::Section section, const json& content) {
    log.record(caller, AuditAction::section_write, 200, [&] {
      return written(id, service.writeSection(caller, id, section, content, any, "demo"));
    });
  };

  std::optional<core::DossierId> made;
  log.record(caf, AuditAction::dossier_create, 201, [&] {
    const auto result = service.createOrMatch(caf, cafPushOf(person), "demo");
    made = result.id;
    return created(result);
  });
  const auto id = *made;
  write(dep, id, core::Section::identifiants, person["identifiants"]);
  log.record(ft, AuditAction::dossier_create, 200, [&] {
    return created(service.createOrMatch(
        ft,
        {{"identite", person["identite"]},
         {"identifiants", {{"france_travail", person["identifiants"]["france_travail"]}}}},
        "demo"));
  });
  write(ft, id, core::Section::situation_pro, person["situation_pro"]);

  const bool health =
      consents_to_health && (person.contains("sante") || person.contains("diagnostic"));
  if (health)
    log.record(dep, AuditAction::consent_record, 201, [&] {
      const auto recorded = application.consents().record(
          dep, id,
          {{"grantee", {{"kind", "departement"}}},
           {"purpose", "accompagnement"},
           {"categories", {"sensible"}},
           {"given_at", "2026-01-15"},
           {"method", "ecrit"},
           {"collected_by", "Référent RSA du Département (démonstration)"},
           {"notice_version", "notice-dui-2026-01"}});
      app::AuditNote note;
      note.person = id;
      note.details["consent"] = recorded.record.id;
      return note;
    });
  for (const char* name : {"orientation", "diagnostic", "contrat", "parcours", "sortie", "sante"}) {
    if (!person.contains(name)) continue;
    json section = person[name];
    const std::string n = name;
    if (!health && n == "sante") continue;
    if (!health && n == "diagnostic") section["freins"].erase("sante");
    write(dep, id, *core::parseSection(n), section);
  }
}

}  // namespace

std::size_t loadDemoDossiers(app::Application& application, std::size_t count) {
  if (application.store().dossierCount() > 0) return 0;
  const auto who = demoCallers(application);
  DemoAudit log(application.audit());
  std::size_t index = 0;
  for (const auto& person : syntheticDossiers(count))
    bringIn(application, log, who, person, index++ % 3 == 0);
  return count;
}

void printDemoInstructions(std::ostream& out, const fs::path& dir_in, std::uint16_t port,
                           app::Application& application) {
  const fs::path dir = fs::absolute(dir_in);
  const std::string base = "https://127.0.0.1:" + std::to_string(port);
  const std::string ca = "--cacert " + (dir / "ca.pem").string();
  auto certOf = [&](const std::string& id) {
    const auto p = dir / "partners" / id;
    return ca + " --cert " + (p / "cert.pem").string() + " --key " + (p / "key.pem").string();
  };
  auto tokenOf = [&](const std::string& id) {
    return ca + " -H \"Authorization: Bearer $(cat " + (dir / "partners" / id / "token").string() +
           ")\"";
  };
  const auto sample = syntheticDossiers(1).front();
  const auto ft_id = sample["identifiants"]["france_travail"].get<std::string>();
  // A small monthly CAF flux to import, as the CAF would send it (synthetic people).
  const auto flux = dir / "exemple-flux-caf.xml";
  if (!fs::exists(flux)) writeSyntheticCafFlux(flux, 12, 7);
  const dossiers::Caller dep{demoCallers(application).departement, core::Purpose::accompagnement};
  const auto id = application.dossiers().lookup(dep, {core::IdentifierKind::france_travail, ft_id});
  const std::string dossier = id.str();
  // The current version, so that the If-Match below holds on a reused directory too.
  const auto contact_version =
      application.dossiers().readSection(dep, id, core::Section::contact).info.version;
  // A person oriented to the mission locale: what a structure référente sees of them.
  std::string followed;
  for (const auto& person : syntheticDossiers(static_cast<std::size_t>(
           std::min<std::int64_t>(application.store().dossierCount(), 50)))) {
    if (person.contains("orientation") &&
        person["orientation"]["structure_referente"] == "mission-locale") {
      followed = application.dossiers()
                     .lookup(dep, {core::IdentifierKind::france_travail,
                                   person["identifiants"]["france_travail"].get<std::string>()})
                     .str();
      break;
    }
  }

  out << "\nPasserelle DUI demo gateway on " << base << " (SQLite "
      << (dir / "passerelle.db").string() << ", " << application.store().dossierCount()
      << " synthetic dossiers)\n"
      << "Partners: departement, caf, france-travail, mission-locale, evaluateur, dpo; each has\n"
      << "cert.pem, key.pem and token under " << (dir / "partners").string() << "/<id>/\n\n"
      << "The console (DPO, Departement): " << base << "/console\n"
      << "  sign in with the DPO's token: " << (dir / "partners" / "dpo" / "token").string()
      << "\n  (the browser must trust " << (dir / "ca.pem").string() << ")\n\n"
      << "# Liveness, and readiness (503 with its reasons when the node should get no traffic)\n"
      << "curl " << ca << " " << base << "/healthz\ncurl " << ca << " " << base << "/readyz\n\n"
      << "# France Travail finds a dossier by its own identifier (bearer token)\n"
      << "curl " << tokenOf("france-travail") << " -H 'X-Purpose: suivi_parcours' '" << base
      << "/v1/dossiers?france_travail=" << ft_id << "'\n\n"
      << "# The Département reads that dossier (client certificate)\n"
      << "curl " << certOf("departement") << " -H 'X-Purpose: accompagnement' " << base
      << "/v1/dossiers/" << dossier << "\n\n"
      << "# One section, with its ETag\n"
      << "curl -i " << certOf("departement") << " -H 'X-Purpose: accompagnement' " << base
      << "/v1/dossiers/" << dossier << "/sections/contact\n\n"
      << "# Replace the contact section (send the ETag you read in If-Match)\n"
      << "curl " << certOf("departement") << " -X PUT -H 'X-Purpose: accompagnement' "
      << "-H 'Content-Type: application/json' -H 'If-Match: \"" << contact_version << "\"' --data "
      << "'{\"email\":\"nouvelle.adresse@exemple.invalid\",\"sans_domicile_fixe\":false}' " << base
      << "/v1/dossiers/" << dossier << "/sections/contact\n\n"
      << "# Versions of every section\n"
      << "curl " << certOf("departement") << " -H 'X-Purpose: accompagnement' " << base
      << "/v1/dossiers/" << dossier << "/history\n\n"
      << "# The CAF creates a dossier (or is told which existing one matches)\n"
      << "curl " << certOf("caf") << " -X POST -H 'X-Purpose: instruction_rsa' "
      << "-H 'Content-Type: application/json' --data "
      << "'{\"identite\":{\"nom_naissance\":\"Tournesol\",\"prenoms\":[\"Lila\"],"
      << "\"date_naissance\":\"1990-04-12\",\"sexe\":\"F\"},\"identifiants\":{\"caf\":"
      << "{\"organisme\":\"CAF\",\"numero_organisme\":\"931\",\"matricule\":\"7654321\"}}}' "
      << base << "/v1/dossiers\n\n"
      << "# A schema violation is refused with the JSON pointer of the bad field\n"
      << "curl " << certOf("caf") << " -X PUT -H 'X-Purpose: instruction_rsa' "
      << "-H 'Content-Type: application/json' --data '{\"rsa\":{\"etat_dossier\":9}}' " << base
      << "/v1/dossiers/" << dossier << "/sections/droits\n\n"
      << (followed.empty()
              ? std::string()
              : "# The mission locale reads a person it accompanies: only what the policy allows;\n"
                "# `withheld` lists the rest (the NIR, the rights detail; the household without "
                "consent)\n"
                "curl " +
                    certOf("mission-locale") + " -H 'X-Purpose: accompagnement' " + base +
                    "/v1/dossiers/" + followed +
                    "\n\n# The Département records the person's consent to share the household "
                    "with it\n"
                    "curl " +
                    certOf("departement") +
                    " -X POST -H 'X-Purpose: accompagnement' "
                    "-H 'Content-Type: application/json' --data "
                    "'{\"grantee\":{\"partner\":\"mission-locale\"},"
                    "\"purpose\":\"accompagnement\",\"sections\":[\"foyer\"],\"given_at\":\"2026-"
                    "11-02\","
                    "\"method\":\"ecrit\",\"collected_by\":\"Conseillère France Services\","
                    "\"notice_version\":\"notice-dui-2026-01\"}' " +
                    base + "/v1/dossiers/" + followed +
                    "/consents\n\n# Run the mission locale's read again: the household is now "
                    "visible\n\n"
                    "# Who may read or write what, for which purpose, on which legal basis (for "
                    "the DPO)\n"
                    "# " +
                    fs::read_symlink("/proc/self/exe").string() + " policy explain --config " +
                    (dir / "passerelle.json").string() + "\n\n")
      << "# The DPO: every access to that dossier, each with its Merkle proof (GDPR art. 15)\n"
      << "curl " << certOf("dpo") << " " << base << "/v1/audit/persons/" << dossier << "/report\n\n"
      << "# Any partner: the audit log's latest signed checkpoint, to keep and compare later\n"
      << "curl " << tokenOf("caf") << " " << base << "/v1/audit/checkpoint\n\n"
      << "# The CAF sends its monthly RSA flux (windows-1252 XML): the report says what was\n"
      << "# created, matched, updated, unchanged, rejected and left out (pregnancy, amounts...)\n"
      << "curl " << certOf("caf") << " -X POST -H 'X-Purpose: instruction_rsa' "
      << "-H 'Content-Type: application/xml' --data-binary @" << flux.string() << " " << base
      << "/v1/imports/caf-rsa-xml\n\n"
      << "# The Département follows the change feed (dossier ids and sections; read them through\n"
      << "# the API). Resume from \"next\" while \"more\" is true\n"
      << "curl " << certOf("departement") << " -H 'X-Purpose: accompagnement' '" << base
      << "/v1/changes?since=0&limit=5'\n\n"
      << "# Recompute the audit log and check every checkpoint (names the first bad entry)\n"
      << "# " << fs::read_symlink("/proc/self/exe").string() << " audit verify --config "
      << (dir / "passerelle.json").string() << "\n\n"
      << "Stop with Ctrl-C. Run again to reuse " << dir.string() << "; delete it to start afresh.\n"
      << std::flush;
}

}  // namespace passerelle::demo
