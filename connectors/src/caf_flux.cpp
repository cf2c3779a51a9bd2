#include "passerelle/connectors/caf_flux.hpp"

#include <libxml/parser.h>
#include <libxml/xmlreader.h>
#include <libxml/xmlschemas.h>

#include <cstring>
#include <memory>
#include <set>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"

namespace passerelle::connectors {

namespace detail {
const std::map<std::string, std::string>& connectorFormats();
}  // namespace detail

namespace {

using nlohmann::json;

constexpr const char* kSchemaFile = "caf-rsa-beneficiaires-vrsb0801.xsd";

// The CNAF schema, parsed once. Validation contexts are per reader; the parsed schema itself is
// only read, so one serves every thread.
xmlSchemaPtr schema() {
  static const xmlSchemaPtr parsed = [] {
    xmlInitParser();
    const auto& xsd = detail::connectorFormats().at(kSchemaFile);
    auto* context = xmlSchemaNewMemParserCtxt(xsd.data(), static_cast<int>(xsd.size()));
    auto* result = xmlSchemaParse(context);
    xmlSchemaFreeParserCtxt(context);
    if (result == nullptr) throw std::logic_error("the embedded CAF schema does not parse");
    return result;
  }();
  return parsed;
}

std::string trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

// libxml2's message, on one line (some span two: the reason, then the bytes at fault).
std::string messageOf(const xmlError* error, const char* otherwise) {
  auto text = trimmed(error->message != nullptr ? error->message : otherwise);
  for (auto& c : text)
    if (c == '\n') c = ' ';
  return "line " + std::to_string(error->line) + ": " + text;
}

// What the parser reports (well-formedness, encoding): the first error makes the file unusable.
struct ErrorSink {
  std::optional<std::string> fatal;

  static void collect(void* self, xmlErrorPtr error) {
    auto& sink = *static_cast<ErrorSink*>(self);
    if (!sink.fatal && error->level >= XML_ERR_ERROR) sink.fatal = messageOf(error, "error");
  }
};

struct ReaderDeleter {
  void operator()(xmlTextReader* reader) const { xmlFreeTextReader(reader); }
};
using Reader = std::unique_ptr<xmlTextReader, ReaderDeleter>;

Reader openReader(const std::filesystem::path& file, ErrorSink& sink) {
  Reader reader(xmlReaderForFile(file.c_str(), nullptr,
                                 XML_PARSE_NONET | XML_PARSE_NOCDATA | XML_PARSE_BIG_LINES));
  if (!reader)
    throw core::DomainError(core::ErrorKind::unusable_file, "cannot open " + file.string());
  xmlTextReaderSetStructuredErrorHandler(reader.get(), &ErrorSink::collect, &sink);
  return reader;
}

struct ValidatorDeleter {
  void operator()(xmlSchemaValidCtxt* context) const { xmlSchemaFreeValidCtxt(context); }
};

// Validates one top-level element (the header, a household, the trailer) against its
// declaration in the schema: errors belong to that element, whatever the lines look like (real
// files are often one line). Returns its first error, if any.
class ElementValidator {
 public:
  ElementValidator() : context_(xmlSchemaNewValidCtxt(schema())) {
    if (!context_) throw std::bad_alloc();
    xmlSchemaSetValidStructuredErrors(context_.get(), &ElementValidator::collect, this);
  }

  std::optional<std::string> firstError(xmlNode* element) {
    first_.reset();
    const int result = xmlSchemaValidateOneElement(context_.get(), element);
    if (result != 0 && !first_)
      first_ = "line " + std::to_string(xmlGetLineNo(element)) + ": invalid";
    return first_;
  }

 private:
  static void collect(void* self, xmlErrorPtr error) {
    auto& validator = *static_cast<ElementValidator*>(self);
    if (!validator.first_) validator.first_ = messageOf(error, "invalid");
  }

  std::unique_ptr<xmlSchemaValidCtxt, ValidatorDeleter> context_;
  std::optional<std::string> first_;
};

std::string name(xmlTextReader* reader) {
  const auto* n = xmlTextReaderConstLocalName(reader);
  return n != nullptr ? reinterpret_cast<const char*>(n) : "";
}

std::string textOf(const xmlNode* node) {
  auto* content = xmlNodeGetContent(node);
  std::string out = content != nullptr ? reinterpret_cast<const char*>(content) : "";
  xmlFree(content);
  return trimmed(out);
}

bool named(const xmlNode* node, const char* wanted) {
  return node->type == XML_ELEMENT_NODE &&
         std::strcmp(reinterpret_cast<const char*>(node->name), wanted) == 0;
}

std::vector<const xmlNode*> childrenNamed(const xmlNode* parent, const char* wanted) {
  std::vector<const xmlNode*> out;
  if (parent == nullptr) return out;
  for (const xmlNode* c = parent->children; c != nullptr; c = c->next)
    if (named(c, wanted)) out.push_back(c);
  return out;
}

const xmlNode* child(const xmlNode* parent, const char* wanted) {
  const auto all = childrenNamed(parent, wanted);
  return all.empty() ? nullptr : all.front();
}

// The text at a path of child elements; empty if any step is missing.
std::string textAt(const xmlNode* node, std::initializer_list<const char*> path) {
  for (const char* step : path) {
    node = child(node, step);
    if (node == nullptr) return "";
  }
  return textOf(node);
}

bool isTrue(const std::string& xsd_boolean) {
  return xsd_boolean == "true" || xsd_boolean == "1";
}

// Elements the DUI does not take in: counted, never read.
const std::set<std::string>& ignoredElements() {
  static const std::set<std::string> names = {"Grossesse",
                                              "Ressources",
                                              "PensionAlimentaire",
                                              "Controle",
                                              "PaiementTiers",
                                              "ReductionRSA",
                                              "ConditionAdministrative",
                                              "MontantsCalculDroitRSA",
                                              "DetailCalculDroitRSA",
                                              "MTPERSRESSMENRSA",
                                              "MTPERSABANEURSA",
                                              "InformationsAgricoles",
                                              "AvisPCGPersonne",
                                              "AvisCGSSDOMPersonne",
                                              "Activite",
                                              "Rattachement",
                                              "SpecificiteDOM",
                                              "Evenement",
                                              "Anomalie",
                                              "Refus",
                                              "DemandeRMI",
                                              "OrganismeCedant",
                                              "OrganismePrenant"};
  return names;
}

void countIgnored(const xmlNode* node, IgnoredElements& ignored) {
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    const std::string n = reinterpret_cast<const char*>(c->name);
    if (ignoredElements().count(n) != 0)
      ++ignored[n];
    else
      countIgnored(c, ignored);
  }
}

std::optional<std::string> maritalStatus(const std::string& sitfam) {
  static const std::map<std::string, std::string> codes = {
      {"CEL", "celibataire"}, {"ISO", "celibataire"}, {"MAR", "marie"},  {"PAC", "pacse"},
      {"VIM", "concubinage"}, {"DIV", "divorce"},     {"SEP", "separe"}, {"SEF", "separe"},
      {"SEL", "separe"},      {"VEU", "veuf"},        {"RPA", "pacse"},  {"RVM", "concubinage"}};
  const auto it = codes.find(sitfam);
  if (it == codes.end()) return std::nullopt;
  return it->second;
}

// The current address: the one of rank 1 if there is one, else the first.
json address(const xmlNode* administrative) {
  const auto all = childrenNamed(administrative, "Adresse");
  const xmlNode* chosen = all.empty() ? nullptr : all.front();
  for (const auto* a : all)
    if (textAt(a, {"TroncCommunAdresse", "RGADR"}) == "1") chosen = a;
  json out = json::object();
  if (chosen == nullptr) return out;
  json lines = json::array();
  const auto add = [&](std::string line) {
    line = trimmed(line);
    std::string squeezed;
    for (const char c : line)
      if (c != ' ' || (!squeezed.empty() && squeezed.back() != ' ')) squeezed += c;
    if (!squeezed.empty()) lines.push_back(squeezed);
  };
  if (const auto* fr = child(chosen, "AdresseDetailleeFrance")) {
    add(textAt(fr, {"COMPLIDEADR"}));
    add(textAt(fr, {"COMPLADR"}));
    add(textAt(fr, {"NUMVOIE"}) + " " + textAt(fr, {"LIBTYPEVOIE"}) + " " +
        textAt(fr, {"NOMVOIE"}));
    add(textAt(fr, {"LIEUDIST"}));
    auto postcode = textAt(fr, {"CODEPOS"});
    if (!postcode.empty() && postcode.size() < 5) postcode.insert(0, 5 - postcode.size(), '0');
    if (!postcode.empty()) out["code_postal"] = postcode;
    if (const auto insee = textAt(fr, {"NUMCOM"}); !insee.empty())
      out["code_commune_insee"] = insee;
    if (const auto commune = textAt(fr, {"NOMCOM"}); !commune.empty()) out["commune"] = commune;
  } else if (const auto* abroad = child(chosen, "AdresseHorsFrance")) {
    for (const char* n :
         {"LIBLIG2ADR", "LIBLIG3ADR", "LIBLIG4ADR", "LIBLIG5ADR", "LIBLIG6ADR", "LIBLIG7ADR"})
      add(textAt(abroad, {n}));
  }
  if (!lines.empty()) out["lignes"] = lines;
  return out;
}

CafPerson person(const xmlNode* p, const CafHousehold& household, const json& shared) {
  CafPerson out;
  const auto* id = child(p, "Identification");
  json identite = {{"nom_naissance", textAt(id, {"NOMNAI"})},
                   {"prenoms", json::array()},
                   {"date_naissance", textAt(id, {"DTNAI"})}};
  const auto usage = textAt(id, {"NOM"});
  if (!usage.empty() && usage != identite["nom_naissance"]) identite["nom_usage"] = usage;
  for (const char* n : {"PRENOM", "PRENOM2", "PRENOM3"})
    if (const auto first = textAt(id, {n}); !first.empty()) identite["prenoms"].push_back(first);
  const auto sex = textAt(id, {"SEXE"});
  if (sex == "1") identite["sexe"] = "M";
  if (sex == "2") identite["sexe"] = "F";
  if (const auto nir = textAt(id, {"NIR"}); !nir.empty()) identite["nir"] = nir;
  if (const auto place = textAt(id, {"NOMCOMNAI"}); !place.empty())
    identite["commune_naissance_libelle"] = place;

  json identifiants = {{"caf",
                        {{"organisme", household.organisme},
                         {"numero_organisme", household.numero_organisme},
                         {"matricule", household.matricule}}}};
  if (const auto ft = textAt(p, {"DossierPoleEmploi", "IDASSEDIC"}); !ft.empty())
    identifiants["france_travail"] = ft;

  for (const auto* prestation : childrenNamed(p, "Prestations"))
    if (textAt(prestation, {"NATPREST"}) == "RSA") out.role = textAt(prestation, {"ROLEPERS"});
  json foyer = shared["foyer"];
  foyer["role_foyer_rsa"] = out.role == "DEM"   ? "demandeur"
                            : out.role == "CJT" ? "conjoint"
                                                : "autre";
  json droits = shared["droits"];
  if (const auto duties = textAt(p, {"MontantCalculDroitRSAPersonne", "TOPPERSDRODEVORSA"});
      !duties.empty())
    droits["rsa"]["soumis_droits_devoirs"] = isTrue(duties);

  out.sections = {{"identite", identite},
                  {"identifiants", identifiants},
                  {"contact", shared["contact"]},
                  {"foyer", foyer},
                  {"droits", droits}};
  return out;
}

// What every member of a household shares: address, household, RSA right.
json householdSections(const xmlNode* h) {
  json contact = json::object();
  const auto* administrative = child(h, "DonneesAdministratives");
  if (auto a = address(administrative); !a.empty()) contact["adresse"] = a;
  const auto* rsa = child(h, "PrestationRSA");
  const auto* situation = child(rsa, "SituationDossierRSA");
  const auto* common = child(child(rsa, "DetailDroitRSA"), "TroncCommunDroitRSA");
  if (common != nullptr) contact["sans_domicile_fixe"] = isTrue(textAt(common, {"TOPSANSDOMFIXE"}));

  json foyer = json::object();
  if (const auto status = maritalStatus(textAt(administrative, {"SituationFamille", "SITFAM"})))
    foyer["situation_maritale"] = *status;
  if (const auto children = textAt(common, {"NBENFAUTCHA"}); !children.empty()) {
    foyer["nombre_enfants"] = std::stoi(children);
    foyer["enfants_a_charge"] = std::stoi(children) > 0;
  }

  json rsa_right = json::object();
  if (const auto state = textAt(situation, {"EtatDossierRSA", "ETATDOSRSA"}); !state.empty())
    // The schema allows any character here: a code that is not a digit goes on as text, and
    // the section's validation names the field instead of the reader failing.
    rsa_right["etat_dossier"] = state.size() == 1 && state[0] >= '0' && state[0] <= '9'
                                    ? json(state[0] - '0')
                                    : json(state);
  if (const auto asked = textAt(h, {"IdentificationRSA", "DemandeRSA", "DTDEMRSA"}); !asked.empty())
    rsa_right["date_demande"] = asked;
  // The latest suspension, of the right or else of the payment.
  for (const char* block : {"SuspensionVersement", "SuspensionDroit"}) {
    const std::string prefix =
        std::strcmp(block, "SuspensionDroit") == 0 ? "SUSDRORSA" : "SUSVERSRSA";
    std::string latest_date, latest_reason;
    for (const auto* s : childrenNamed(situation, block)) {
      const auto date = textAt(s, {("DD" + prefix).c_str()});
      if (date >= latest_date) {
        latest_date = date;
        latest_reason = textAt(s, {("MOTI" + prefix).c_str()});
      }
    }
    if (!latest_reason.empty()) {
      rsa_right["motif_suspension"] = latest_reason;
      rsa_right["date_suspension"] = latest_date;
    }
  }
  for (const char* block : {"FinDroitMoisAnterieur", "FinDroit"})
    if (const auto* end = child(situation, block)) {
      rsa_right["motif_cloture"] = textAt(end, {"MOTICLORSA"});
      rsa_right["date_cloture"] = textAt(end, {"DTCLORSA"});
    }
  return {{"contact", contact}, {"foyer", foyer}, {"droits", {{"rsa", rsa_right}}}};
}

CafHousehold household(const xmlNode* h, std::size_t number, std::size_t line) {
  CafHousehold out;
  out.number = number;
  out.line = line;
  const auto* organisme = child(child(h, "IdentificationRSA"), "Organisme");
  out.organisme = textAt(organisme, {"FONORG"});
  out.numero_organisme = textAt(organisme, {"NUMORG"});
  out.matricule = textAt(organisme, {"MATRICULE"});
  const auto shared = householdSections(h);
  for (const auto* p : childrenNamed(h, "Personne")) out.persons.push_back(person(p, out, shared));
  return out;
}

}  // namespace

CafFluxCheck checkCafFlux(const std::filesystem::path& file) {
  CafFluxCheck check;
  ErrorSink sink;
  ElementValidator validator;
  auto reader = openReader(file, sink);
  const auto lineNow = [&] {
    return "line " + std::to_string(xmlTextReaderGetParserLineNumber(reader.get())) + ": ";
  };
  // Racine holds IdentificationFlux, InfosFoyerRSA*, TransmissionFlux, in that order: checked
  // here; each of them against its declaration as it comes.
  enum class Expect { root, header, households, end } expect = Expect::root;
  // Next skips an element's subtree (freeing it) and stands on what follows, which may be the
  // next element at once (files on one line): that node is looked at without reading further.
  int status = xmlTextReaderRead(reader.get());
  while (status == 1) {
    const int type = xmlTextReaderNodeType(reader.get());
    if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
      check.fatal = lineNow() + "a DOCTYPE is not allowed in a flux";
      return check;
    }
    if (type != XML_READER_TYPE_ELEMENT) {
      status = xmlTextReaderRead(reader.get());
      continue;
    }
    const auto n = name(reader.get());
    if (expect == Expect::root) {
      if (n != "Racine") {
        check.fatal = lineNow() + "the root element is " + n + ", not Racine";
        return check;
      }
      expect = Expect::header;
      status = xmlTextReaderRead(reader.get());  // into its children
      continue;
    }
    const bool household = n == "InfosFoyerRSA" && expect == Expect::households;
    const bool in_order = (n == "IdentificationFlux" && expect == Expect::header) || household ||
                          (n == "TransmissionFlux" && expect == Expect::households);
    if (!in_order) {
      check.fatal = lineNow() + "unexpected element " + n +
                    " (a flux is IdentificationFlux, InfosFoyerRSA..., TransmissionFlux)";
      return check;
    }
    auto* node = xmlTextReaderExpand(reader.get());
    if (node == nullptr) break;  // cut inside: the parser says where
    const auto error = validator.firstError(node);
    if (household) {
      ++check.households;
      if (error) check.rejected.emplace(check.households, *error);
    } else if (error) {
      check.fatal = *error + " (in " + n + ": the whole flux is refused)";
      return check;
    } else if (n == "IdentificationFlux") {
      check.header = {textAt(node, {"TYPEFLUX"}), textAt(node, {"NATFLUX"}),
                      textAt(node, {"DTCREAFLUX"}), textAt(node, {"DTREF"})};
      expect = Expect::households;
    } else {
      check.announced = std::stoull(textAt(node, {"NBTOTDOSRSATRANSM"}));
      expect = Expect::end;
    }
    status = xmlTextReaderNext(reader.get());
  }
  if (sink.fatal) {
    check.fatal = sink.fatal;
    return check;
  }
  if (status != 0 || expect != Expect::end) {
    check.fatal = lineNow() + "the flux ends before its TransmissionFlux (truncated?)";
    return check;
  }
  if (check.header.type != "M" && check.header.type != "I") {
    check.fatal = "TYPEFLUX is \"" + check.header.type + "\"; M (monthly) or I (daily) expected";
    return check;
  }
  return check;
}

std::optional<std::string> CafFluxCheck::countMismatch() const {
  if (!announced || *announced == households) return std::nullopt;
  return "the trailer announces " + std::to_string(*announced) +
         " households (NBTOTDOSRSATRANSM) but the file holds " + std::to_string(households);
}

void readCafFlux(const std::filesystem::path& file, const CafFluxCheck& check,
                 IgnoredElements& ignored, const std::function<void(const CafHousehold&)>& use) {
  if (check.fatal) throw std::logic_error("readCafFlux on a flux the check refused");
  ErrorSink sink;
  auto reader = openReader(file, sink);
  std::size_t number = 0;
  int status = xmlTextReaderRead(reader.get());
  while (status == 1) {
    if (xmlTextReaderNodeType(reader.get()) == XML_READER_TYPE_ELEMENT &&
        xmlTextReaderDepth(reader.get()) == 1 && name(reader.get()) == "InfosFoyerRSA") {
      ++number;
      const auto line = static_cast<std::size_t>(xmlTextReaderGetParserLineNumber(reader.get()));
      const xmlNode* node = xmlTextReaderExpand(reader.get());
      if (node == nullptr) break;
      if (check.rejected.count(number) == 0) {
        countIgnored(node, ignored);
        use(household(node, number, line));
      }
      status = xmlTextReaderNext(reader.get());  // frees the household's nodes
      continue;
    }
    status = xmlTextReaderRead(reader.get());
  }
  if (status != 0 || sink.fatal || number != check.households)
    throw core::DomainError(core::ErrorKind::unusable_file,
                            file.string() + " changed since it was checked");
}

}  // namespace passerelle::connectors
