// Identity resolution never merges two people: random populations with deliberately colliding
// identifiers (a France Travail id typed against the wrong person, swapped NIRs, homonyms born
// the same day, households sharing a matricule), sent in random orders through the API's
// create-or-match, one import record, an NDJSON file, a CAF XML flux and a France Travail CSV
// extract (which carries no NIR, only France Travail's own id and the identity it knows). After
// every run: no dossier holds records of two people, every person untouched by a collision has
// exactly one dossier, every refusal names its reconciliation case, and sending everything
// again, each record through the channel it first took, changes nothing.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <random>
#include <set>

#include "passerelle/connectors/importer.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/testdata/synthetic_dossiers.hpp"
#include "service_harness.hpp"

namespace passerelle::dossiers {
namespace {

using nlohmann::json;

struct Record {
  std::size_t person;  // whose record it is (names, birth date)
  json sections;       // what the CAF sends
  bool corrupted = false;
  bool france_travail = false;  // France Travail's row of the person: through its extract only
};

// The CAF's record of each person, with the France Travail id the CAF knows; then, for a few,
// a data-entry error: another person's France Travail id or NIR.
std::vector<Record> population(std::mt19937& rng, std::size_t n, std::set<std::size_t>& touched) {
  const auto people = testdata::syntheticDossiers(n, static_cast<std::uint32_t>(rng()));
  std::vector<Record> out;
  for (std::size_t i = 0; i < n; ++i) {
    json sections = testdata::cafPushOf(people[i]);
    sections["identifiants"]["france_travail"] = people[i]["identifiants"]["france_travail"];
    out.push_back({i, sections, false});
  }
  // Homonyms born the same day in other households: distinct people the resolution must keep
  // apart (their NIRs and matricules differ).
  for (std::size_t k = 0; k + 1 < n; k += 7) {
    auto& twin = out[k + 1].sections["identite"];
    twin["nom_naissance"] = out[k].sections["identite"]["nom_naissance"];
    twin["prenoms"] = out[k].sections["identite"]["prenoms"];
    twin["date_naissance"] = out[k].sections["identite"]["date_naissance"];
    if (out[k].sections["identite"].contains("sexe"))
      twin["sexe"] = out[k].sections["identite"]["sexe"];
    // same birth date: the NIR's month and year differ, which checkNir allows
  }
  std::uniform_int_distribution<std::size_t> pick(0, n - 1);
  const std::size_t errors = n / 5;
  for (std::size_t e = 0; e < errors; ++e) {
    const auto i = pick(rng), k = pick(rng);
    if (i == k) continue;
    Record wrong = out[i];
    wrong.corrupted = true;
    if (e % 2 == 0)
      wrong.sections["identifiants"]["france_travail"] =
          out[k].sections["identifiants"]["france_travail"];
    else
      wrong.sections["identite"]["nir"] = out[k].sections["identite"]["nir"];
    touched.insert(i);
    touched.insert(k);
    out.push_back(std::move(wrong));
  }
  // A household's second member shares the first one's matricule.
  for (std::size_t k = 2; k + 1 < n; k += 5) {
    out[k + 1].sections["identifiants"]["caf"] = out[k].sections["identifiants"]["caf"];
    for (auto& r : out)
      if (r.person == k + 1)
        r.sections["identifiants"]["caf"] = out[k].sections["identifiants"]["caf"];
  }
  // France Travail's extract holds a third of the records as it knows them (its own id, the
  // identity): a mistyped id there too, since the CAF's copy carried it.
  const auto count = out.size();
  for (std::size_t i = 0; i < count; i += 3) {
    Record row = out[i];
    row.france_travail = true;
    out.push_back(std::move(row));
  }
  std::shuffle(out.begin(), out.end(), rng);
  return out;
}

const char* const kFranceTravailHeader =
    "identifiant_unique_de;civilite;nom;prenom;lieu_naissance;code_lieu_naissance;date_naissance;"
    "adresse_ligne2;adresse_ligne3;adresse_ligne4;adresse_ligne5;adresse_ligne6;departement;dr;"
    "rome_1;appelation_rome_1;rome_2;appelation_rome_2;mrech.axetravailprincipal;"
    "mrech.axetravailsecondaire;der_entretien_ppae;der_entretien;inscription;"
    "code_motif_inscription;motif_inscription;categorie_inscription;struct_principale;"
    "referent_civilite;referent_nom;referent_prenom;referent_mail;code_safir;"
    "modalite_accompagnement;struct_suivi;suivi_debut;suivi_fin_prev;dif_financiere;"
    "dif_admin_jur;dif_sante;dif_logement;dif_transport;dif_inser_com;dif_familiale;brsa";

// A record as a line of NDJSON, a household of a CAF flux (UTF-8, as the prolog says), or a
// row of France Travail's main extract (its own id, names and birth date: no NIR).
std::string render(connectors::ImportFormat format, const std::vector<const Record*>& records) {
  std::string out;
  if (format == connectors::ImportFormat::ndjson) {
    for (const auto* r : records) out += r->sections.dump() + "\n";
    return out;
  }
  if (format == connectors::ImportFormat::france_travail_csv) {
    out = kFranceTravailHeader + std::string("\n");
    for (const auto* r : records) {
      const auto& id = r->sections["identite"];
      std::vector<std::string> row(44, "NULL");
      row[0] = r->sections["identifiants"]["france_travail"];
      row[1] = id.value("sexe", "") == "F" ? "MME" : "M.";
      row[2] = id["nom_naissance"];
      row[3] = id["prenoms"][0];
      row[6] = std::string(id["date_naissance"]) + " 00:00:00.0";
      row[22] = "2025-01-06 00:00:00.0";  // inscription
      row[25] = "1";                      // categorie_inscription
      for (std::size_t c = 0; c < row.size(); ++c) out += (c ? ";" : "") + row[c];
      out += "\n";
    }
    return out;
  }
  out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Racine>\n<IdentificationFlux><APPLIEME>CRI"
      "</APPLIEME><NUMVERSIONAPPLIEME>0801</NUMVERSIONAPPLIEME><TYPEFLUX>M</TYPEFLUX><NATFLUX>1"
      "</NATFLUX><DTCREAFLUX>2026-10-03</DTCREAFLUX><HEUCREAFLUX>04:12:00</HEUCREAFLUX><DTREF>"
      "2026-09-30</DTREF></IdentificationFlux>\n";
  for (const auto* r : records) {
    const auto& caf = r->sections["identifiants"]["caf"];
    const auto& id = r->sections["identite"];
    const bool female = id.value("sexe", "") == "F";
    const std::string birth_name = id["nom_naissance"];
    out += "<InfosFoyerRSA><IdentificationRSA><Organisme><FONORG>" + std::string(caf["organisme"]) +
           "</FONORG><NUMORG>" + std::string(caf["numero_organisme"]) + "</NUMORG><MATRICULE>" +
           std::string(caf["matricule"]) +
           "</MATRICULE></Organisme><Partenaire><TYPEPARTE>CG</TYPEPARTE><IDEPARTE>93</IDEPARTE>"
           "</Partenaire><DemandeRSA><DTDEMRSA>2024-02-12</DTDEMRSA><NUMDEMRSA>93100000001"
           "</NUMDEMRSA></DemandeRSA></IdentificationRSA>\n<Personne><Identification><QUAL>" +
           (female ? "MME" : "M") + "</QUAL><NOM>" + id.value("nom_usage", birth_name) +
           "</NOM><NOMNAI>" + birth_name + "</NOMNAI><PRENOM>" + std::string(id["prenoms"][0]) +
           "</PRENOM><NOMCOMNAI>Montreuil</NOMCOMNAI><DTNAI>" + std::string(id["date_naissance"]) +
           "</DTNAI><NIR>" + std::string(id["nir"]).substr(0, 13) + "</NIR><SEXE>" +
           (female ? "2" : "1") +
           "</SEXE></Identification><DossierCAF><TOPRESPDOS>true</TOPRESPDOS><DDRATDOS>2024-03-01"
           "</DDRATDOS></DossierCAF><Prestations><NATPREST>RSA</NATPREST><ROLEPERS>DEM</ROLEPERS>"
           "<TOPCHAPERS>true</TOPCHAPERS></Prestations><Prestations><NATPREST>PFA</NATPREST>"
           "<ROLEPERS>DEM</ROLEPERS><TOPCHAPERS>false</TOPCHAPERS></Prestations>"
           "<DossierPoleEmploi><IDASSEDIC>" +
           std::string(r->sections["identifiants"]["france_travail"]) +
           "</IDASSEDIC></DossierPoleEmploi></"
           "Personne>\n<DonneesAdministratives><SituationFamille>"
           "<SITFAM>CEL</SITFAM><DDSITFAM>2020-06-01</DDSITFAM></SituationFamille><Adresse>"
           "<TroncCommunAdresse><RGADR>1</RGADR><DTEMM>2023-09-01</DTEMM><PAYS>FRA</PAYS><TYPEADR>"
           "P</TYPEADR><ETATADR>CO</ETATADR></TroncCommunAdresse><AdresseDetailleeFrance>"
           "<COMPLIDEADR></COMPLIDEADR><COMPLADR></COMPLADR><NUMVOIE>12</NUMVOIE><LIBTYPEVOIE>rue"
           "</LIBTYPEVOIE><NOMVOIE>de "
           "l'Église</NOMVOIE><LIEUDIST></LIEUDIST><NUMCOM>93048</NUMCOM>"
           "<CODEPOS>93100</CODEPOS><NOMCOM>Montreuil</NOMCOM></AdresseDetailleeFrance></Adresse>"
           "</DonneesAdministratives><PrestationRSA><SituationDossierRSA><EtatDossierRSA>"
           "<ETATDOSRSA>2</ETATDOSRSA></EtatDossierRSA></SituationDossierRSA><DetailDroitRSA>"
           "<TroncCommunDroitRSA><TOPSANSDOMFIXE>false</TOPSANSDOMFIXE><NBENFAUTCHA>0"
           "</NBENFAUTCHA><ORIDEMRSA>RSA</ORIDEMRSA><TOPFOYDRODEVORSA>true</TOPFOYDRODEVORSA>"
           "</TroncCommunDroitRSA></DetailDroitRSA></PrestationRSA></InfosFoyerRSA>\n";
  }
  return out + "<TransmissionFlux><NBTOTDOSRSATRANSM>" + std::to_string(records.size()) +
         "</NBTOTDOSRSATRANSM><NBTOTDOSRSATRANSMANO>0</NBTOTDOSRSATRANSMANO></TransmissionFlux>\n"
         "</Racine>\n";
}

class IdentityPropertyTest : public ::testing::TestWithParam<std::uint32_t> {
 protected:
  // Sends one record through one channel; returns the dossier it landed in, if any.
  std::optional<core::DossierId> send(const Record& r, int channel) {
    const auto caf = h_.as("caf", core::Purpose::instruction_rsa);
    try {
      if (channel == 0) return h_.dossiers.createOrMatch(caf, r.sections, "test").id;
      ImportPerson person;
      person.sections = r.sections;
      const auto outcome = h_.dossiers.importPerson(caf, person, "import:test");
      if (outcome.status == ImportStatus::refused) {
        ADD_FAILURE() << "refused after matching: " << outcome.refusal->what();
        return std::nullopt;
      }
      return outcome.id;
    } catch (const core::DomainError& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::conflict) << e.what();
      EXPECT_EQ(e.members().count("reconciliation_case"), 1u)
          << "every collision is a reconciliation case: " << e.what();
      ++conflicts_;
      return std::nullopt;
    }
  }

  // The file channels: the records as one file of `format`, imported as `partner` would.
  std::map<std::size_t, core::DossierId> sendFile(connectors::ImportFormat format,
                                                  const std::vector<const Record*>& records) {
    if (records.empty()) return {};
    const auto file = h_.dir.path() / ("batch-" + std::to_string(files_++));
    {
      std::ofstream out(file, std::ios::binary);
      out << render(format, records);
    }
    const bool ft = format == connectors::ImportFormat::france_travail_csv;
    const auto caller = ft ? h_.as("france-travail", core::Purpose::accompagnement)
                           : h_.as("caf", core::Purpose::instruction_rsa);
    std::map<std::size_t, core::DossierId> landed;  // record -> dossier
    std::vector<core::DossierId> ids;
    const auto report = connectors::runImport(format, file, h_.dossiers, caller, "import:test",
                                              [&](const ImportOutcome& o) { ids.push_back(o.id); });
    EXPECT_EQ(report.records, records.size()) << report.toJson().dump();
    for (const auto& rejection : report.rejections) {
      // France Travail opens no dossier: a row of someone nobody holds yet is refused as such.
      if (ft && rejection.members.empty() &&
          rejection.reason.rfind("no dossier matches the record's identifiers", 0) == 0) {
        unplaced_.insert(records[rejection.position.record - 1]->person);
        continue;
      }
      EXPECT_EQ(rejection.members.count("reconciliation_case"), 1u) << rejection.reason;
      ++conflicts_;
    }
    // Outcomes come in file order for the records that designated a dossier.
    std::size_t next = 0;
    std::set<std::size_t> rejected;
    for (const auto& rejection : report.rejections) rejected.insert(rejection.position.record);
    for (std::size_t i = 0; i < records.size(); ++i)
      if (!rejected.count(i + 1) && next < ids.size()) landed.emplace(i, ids[next++]);
    EXPECT_EQ(next, ids.size()) << "an outcome for a rejected record";
    return landed;
  }

  std::size_t versions() {
    std::size_t n = 0;
    for (const auto& id : h_.stores.dossiers->dossierIdsAfter(std::nullopt, 100000))
      n += h_.stores.dossiers->history(id).size();
    return n;
  }

  testing::ServiceHarness h_;
  std::size_t conflicts_ = 0, files_ = 0;
  std::set<std::size_t> unplaced_;  // persons of France Travail rows that matched nobody
};

TEST_P(IdentityPropertyTest, NoDossierEverHoldsTwoPeople) {
  std::mt19937 rng(GetParam());
  std::set<std::size_t> touched;
  const auto records = population(rng, 40, touched);
  std::map<core::DossierId, std::set<std::size_t>> held;   // dossier -> the people it holds
  std::map<std::size_t, std::set<core::DossierId>> homes;  // clean person -> dossiers
  const auto land = [&](const Record& r, const std::optional<core::DossierId>& id) {
    if (!id) return;
    held[*id].insert(r.person);
    if (!r.corrupted) homes[r.person].insert(*id);
  };
  using connectors::ImportFormat;
  const std::vector<ImportFormat> formats = {ImportFormat::ndjson, ImportFormat::caf_rsa_xml,
                                             ImportFormat::france_travail_csv};
  std::uniform_int_distribution<int> channel(0, 3);
  std::vector<int> chosen;                          // record -> its channel
  std::map<int, std::vector<const Record*>> files;  // channel -> the records of its file
  for (const auto& r : records) {
    chosen.push_back(r.france_travail ? 4 : channel(rng));
    if (chosen.back() >= 2) {
      files[chosen.back()].push_back(&r);
      continue;
    }
    land(r, send(r, chosen.back()));
  }
  for (const auto& [c, batch] : files) {
    const auto in_file = sendFile(formats[static_cast<std::size_t>(c - 2)], batch);
    EXPECT_FALSE(in_file.empty()) << "file channel " << c << " placed nobody";
    for (const auto& [i, id] : in_file) land(*batch[i], id);
  }
  EXPECT_EQ(files.size(), 3u) << "every file format carried records";

  for (const auto& [id, people] : held)
    EXPECT_EQ(people.size(), 1u) << id.str() << " holds records of several people";
  for (std::size_t p = 0; p < 40; ++p) {
    if (touched.count(p)) continue;
    EXPECT_EQ(homes[p].size(), 1u) << "person " << p << " has " << homes[p].size() << " dossiers";
    EXPECT_FALSE(unplaced_.count(p))
        << "France Travail's row of person " << p << " did not find the dossier the CAF opened";
  }
  EXPECT_GT(conflicts_, 0u) << "the population held collisions";
  const auto cases = h_.stores.dossiers->openCases(1000).size();
  EXPECT_GT(cases, 0u);

  // Everything again, in another order, each record through the channel it took: nothing
  // written, no new case.
  const auto before = versions();
  std::vector<std::size_t> order(records.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::shuffle(order.begin(), order.end(), rng);
  for (const auto& [c, batch] : files) {
    auto again = batch;
    std::shuffle(again.begin(), again.end(), rng);
    sendFile(formats[static_cast<std::size_t>(c - 2)], again);
  }
  for (const auto i : order)
    if (chosen[i] < 2) send(records[i], chosen[i]);
  EXPECT_EQ(versions(), before) << "sending the same records again wrote something";
  EXPECT_EQ(h_.stores.dossiers->openCases(1000).size(), cases) << "a case was opened twice";
}

INSTANTIATE_TEST_SUITE_P(Seeds, IdentityPropertyTest, ::testing::Values(1u, 2u, 3u, 4u, 5u));

}  // namespace
}  // namespace passerelle::dossiers
