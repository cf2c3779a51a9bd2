#include <Poco/TextConverter.h>
#include <Poco/UTF8Encoding.h>
#include <Poco/Windows1252Encoding.h>

#include <fstream>
#include <random>
#include <stdexcept>

#include "passerelle/testdata/synthetic_dossiers.hpp"

namespace passerelle::testdata {

namespace {

const char* const kSurnames[] = {"Hérisson", "Lefèvre", "Œillet", "Ngô",      "Benaïssa",
                                 "Dupré",    "Garçon",  "Müller", "Da Silva", "Lê",
                                 "Bœuf",     "Éloi",    "Martin", "Diallo",   "Le Goff"};
const char* const kGivenF[] = {"Noémie", "Françoise", "Zoé", "Anaïs", "Léa", "Maëlys", "Inès"};
const char* const kGivenM[] = {"Jérôme", "Thành", "Loïc", "Noël", "Mathéo", "Rémi", "Anaël"};

template <std::size_t N>
const char* pick(const char* const (&list)[N], std::mt19937& rng) {
  return list[std::uniform_int_distribution<std::size_t>(0, N - 1)(rng)];
}

// A valid 13-digit NIR (born in Seine-Saint-Denis) and its 2-digit key, unique per `serial`.
std::string nirOf(int sex, int year, int month, std::size_t serial) {
  char body[32];
  std::snprintf(body, sizeof body, "%d%02d%02d93%03zu%03zu", sex, year % 100, month,
                serial / 999 % 1000, serial % 999 + 1);
  return body;
}

std::string person(std::mt19937& rng, const std::string& role, std::size_t serial, int sex) {
  const int year = std::uniform_int_distribution<int>(1960, 2004)(rng);
  const int month = std::uniform_int_distribution<int>(1, 12)(rng);
  const int day = std::uniform_int_distribution<int>(1, 28)(rng);
  char birth[32];
  std::snprintf(birth, sizeof birth, "%04d-%02d-%02d", year, month, day);
  const std::string name = pick(kSurnames, rng);
  return std::string("  <Personne><Identification><QUAL>") + (sex == 1 ? "M" : "MME") +
         "</QUAL><NOM>" + name + "</NOM><NOMNAI>" + name + "</NOMNAI><PRENOM>" +
         (sex == 1 ? pick(kGivenM, rng) : pick(kGivenF, rng)) +
         "</PRENOM><NOMCOMNAI>Montreuil</NOMCOMNAI><DTNAI>" + birth + "</DTNAI><NIR>" +
         nirOf(sex, year, month, serial) + "</NIR><TOPVALIEC>true</TOPVALIEC><SEXE>" +
         std::to_string(sex) +
         "</SEXE></Identification><DossierCAF><TOPRESPDOS>true</TOPRESPDOS><DDRATDOS>2024-03-01"
         "</DDRATDOS></DossierCAF><Prestations><NATPREST>RSA</NATPREST><ROLEPERS>" +
         role +
         "</ROLEPERS><TOPCHAPERS>true</TOPCHAPERS></Prestations><Prestations><NATPREST>PFA"
         "</NATPREST><ROLEPERS>" +
         role +
         "</ROLEPERS><TOPCHAPERS>false</TOPCHAPERS></Prestations><MontantCalculDroitRSAPersonne>"
         "<TOPPERSDRODEVORSA>true</TOPPERSDRODEVORSA><MTPERSRESSMENRSA>412.50</MTPERSRESSMENRSA>"
         "</MontantCalculDroitRSAPersonne><Grossesse><DDGRO>2026-05-02</DDGRO><DTDECLGRO>2026-06-"
         "10</DTDECLGRO></Grossesse></Personne>\n";
}

std::string household(std::mt19937& rng, std::size_t number) {
  char matricule[32];
  std::snprintf(matricule, sizeof matricule, "%07zu", number);
  std::string out =
      std::string(
          "<InfosFoyerRSA><IdentificationRSA><Organisme><FONORG>CAF</FONORG><NUMORG>931"
          "</NUMORG><MATRICULE>") +
      matricule +
      "</MATRICULE></Organisme><Partenaire><TYPEPARTE>CG</TYPEPARTE><IDEPARTE>93</IDEPARTE>"
      "</Partenaire><DemandeRSA><DTDEMRSA>2024-02-12</DTDEMRSA><NUMDEMRSA>93100000001"
      "</NUMDEMRSA></DemandeRSA></IdentificationRSA>\n";
  const bool couple = number % 3 == 0;
  out += person(rng, "DEM", number * 2, couple ? 2 : 1 + static_cast<int>(number % 2));
  if (couple) out += person(rng, "CJT", number * 2 + 1, 1);
  const int state = std::uniform_int_distribution<int>(0, 4)(rng);
  out += std::string("<DonneesAdministratives><SituationFamille><SITFAM>") +
         (couple ? "MAR" : "CEL") +
         "</SITFAM><DDSITFAM>2020-06-01</DDSITFAM></SituationFamille><Adresse><TroncCommunAdresse>"
         "<RGADR>1</RGADR><DTEMM>2023-09-01</DTEMM><PAYS>FRA</PAYS><TYPEADR>P</TYPEADR><ETATADR>"
         "CO</ETATADR></TroncCommunAdresse><AdresseDetailleeFrance><COMPLIDEADR></COMPLIDEADR>"
         "<COMPLADR></COMPLADR><NUMVOIE>" +
         std::to_string(number % 200 + 1) +
         "</NUMVOIE><LIBTYPEVOIE>rue</LIBTYPEVOIE><NOMVOIE>de l'Église</NOMVOIE><LIEUDIST>"
         "</LIEUDIST><NUMCOM>93048</NUMCOM><CODEPOS>93100</CODEPOS><NOMCOM>Montreuil</NOMCOM>"
         "</AdresseDetailleeFrance></Adresse></DonneesAdministratives><PrestationRSA>"
         "<SituationDossierRSA><EtatDossierRSA><ETATDOSRSA>" +
         std::to_string(state) +
         "</ETATDOSRSA></EtatDossierRSA></SituationDossierRSA><DetailDroitRSA>"
         "<TroncCommunDroitRSA><TOPSANSDOMFIXE>false</TOPSANSDOMFIXE><NBENFAUTCHA>" +
         std::to_string(number % 4) +
         "</NBENFAUTCHA><ORIDEMRSA>RSA</ORIDEMRSA><TOPFOYDRODEVORSA>true</TOPFOYDRODEVORSA>"
         "</TroncCommunDroitRSA></DetailDroitRSA></PrestationRSA></InfosFoyerRSA>\n";
  return out;
}

}  // namespace

std::size_t writeSyntheticCafFlux(const std::filesystem::path& file, std::size_t households,
                                  std::uint32_t seed) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  if (!out) throw std::runtime_error("cannot write " + file.string());
  Poco::UTF8Encoding utf8;
  Poco::Windows1252Encoding cp1252;
  Poco::TextConverter converter(utf8, cp1252);
  const auto write = [&](const std::string& text) {
    std::string encoded;
    if (converter.convert(text, encoded) != 0)
      throw std::logic_error("synthetic flux text outside windows-1252");
    out << encoded;
  };
  write(
      "<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<Racine>\n<IdentificationFlux><APPLIEME>"
      "CRI</APPLIEME><NUMVERSIONAPPLIEME>0801</NUMVERSIONAPPLIEME><TYPEFLUX>M</TYPEFLUX><NATFLUX>1"
      "</NATFLUX><DTCREAFLUX>2026-10-03</DTCREAFLUX><HEUCREAFLUX>04:12:00</HEUCREAFLUX><DTREF>"
      "2026-09-30</DTREF></IdentificationFlux>\n");
  std::mt19937 rng(seed);
  std::size_t persons = 0;
  for (std::size_t i = 1; i <= households; ++i) {
    persons += i % 3 == 0 ? 2 : 1;
    write(household(rng, i));
  }
  write("<TransmissionFlux><NBTOTDOSRSATRANSM>" + std::to_string(households) +
        "</NBTOTDOSRSATRANSM><NBTOTDOSRSATRANSMANO>0</NBTOTDOSRSATRANSMANO></TransmissionFlux>\n"
        "</Racine>\n");
  if (!out) throw std::runtime_error("cannot write " + file.string());
  return persons;
}

}  // namespace passerelle::testdata
