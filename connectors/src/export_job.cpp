#include "passerelle/connectors/export_job.hpp"

#include <fstream>
#include <map>
#include <set>

#include "passerelle/connectors/csv_writer.hpp"
#include "passerelle/connectors/data_dictionary.hpp"
#include "passerelle/connectors/dossier_walk.hpp"
#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/crypto/study_pseudonyms.hpp"

namespace passerelle::connectors {

namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr const char* kFormat = "passerelle-export/v1";

// Whether the pathway was open at some point of [from, to].
bool inPeriod(const std::map<core::Section, json>& sections, const ExportRequest& request) {
  if (!request.period_from && !request.period_to) return !sections.empty();
  const auto parcours = sections.find(core::Section::parcours);
  if (parcours == sections.end()) return false;
  const auto entry = parcours->second.value("date_entree", std::string());
  const auto exit = parcours->second.value("date_sortie", std::string());
  if (entry.empty()) return false;
  if (request.period_to && entry.substr(0, 10) > *request.period_to) return false;
  if (request.period_from && !exit.empty() && exit.substr(0, 10) < *request.period_from)
    return false;
  return true;
}

std::string classKey(const nlohmann::ordered_json& row,
                     const std::vector<const policies::ExportColumn*>& quasi) {
  std::string key;
  for (const auto* column : quasi) key += row[column->name].dump() + '\x1f';
  return key;
}

// The sections an export reads: its columns', the pathway's (for the period), and the contact
// columns' if asked.
std::set<core::Section> sectionsRead(const ExportRequest& request) {
  std::set<core::Section> out = {core::Section::parcours};
  const auto add = [&](const policies::ExportColumn& c) {
    out.insert(schemas::FieldCatalogue::sectionOf(c.path));
  };
  for (const auto& c : request.profile->columns) add(c);
  if (request.survey_contact)
    for (const auto& c : request.profile->survey_contact) add(c);
  return out;
}

// A survey-contact value as people read it: a list of strings (first names, address lines)
// joined, anything else as the CSV writer gives it.
nlohmann::ordered_json contactValue(const json& value) {
  if (!value.is_array()) return value;
  std::string joined;
  for (const auto& item : value) {
    if (!item.is_string()) return value;
    joined += (joined.empty() ? "" : ", ") + item.get<std::string>();
  }
  return joined;
}

// The survey-contact row of a person: their pseudonym and the fields given, in their columns.
nlohmann::ordered_json contactRow(const policies::ExportProfile& profile,
                                  const ExportRequest::ContactFields& fields,
                                  const std::string& pseudonym) {
  nlohmann::ordered_json row = {{"pseudonyme", pseudonym}};
  for (const auto& column : profile.survey_contact)
    if (const auto it = fields.find(column.path.str()); it != fields.end())
      row[column.name] = contactValue(it->second);
  return row;
}

// A sealed output file: rows in, sealed bytes out, hash at the end.
struct SealedOutput {
  SealedOutput(const fs::path& path, const std::array<std::uint8_t, 32>& recipient)
      : file(path, std::ios::binary), writer(file, recipient) {
    if (!file)
      throw core::DomainError(core::ErrorKind::unavailable, "cannot create " + path.string());
  }
  std::ofstream file;
  crypto::SealedStreamWriter writer;
};

json fileEntry(const fs::path& path, const std::string& sha256) {
  return {{"name", path.filename().string()},
          {"sha256", sha256},
          {"bytes", static_cast<std::uint64_t>(fs::file_size(path))}};
}

void writeClear(const fs::path& path, const std::string& text, json& files) {
  std::ofstream(path, std::ios::binary) << text;
  files.push_back(fileEntry(path, crypto::sha256Hex(text)));
}

// Where an output is written before it is renamed to `out_dir` (which must not exist yet):
// whatever an interrupted run left there is discarded.
fs::path freshPartial(const fs::path& out_dir) {
  if (fs::exists(out_dir))
    throw core::DomainError(core::ErrorKind::invalid_input,
                            out_dir.string() + " exists; choose a new directory");
  auto partial = out_dir;
  partial += ".partial";
  fs::remove_all(partial);
  fs::create_directories(partial);
  return partial;
}

}  // namespace

json runExport(const ExportRequest& request, const store::DossierStore& store,
               const crypto::RootKey& root, const crypto::Signer& signer,
               const schemas::FieldCatalogue& catalogue, const fs::path& out_dir) {
  const auto& profile = *request.profile;
  const auto partial = freshPartial(out_dir);

  policies::AnonymityPlanner planner(profile);
  std::size_t considered = 0;
  const auto read = sectionsRead(request);
  forEachDossier(
      store,
      [&](const core::DossierId&, const std::map<core::Section, json>& sections) {
        if (!inPeriod(sections, request)) return;
        ++considered;
        planner.add(policies::project(profile, sections, request.reference_date));
      },
      read);
  const auto plan = planner.plan();

  const crypto::StudyPseudonyms pseudonyms(root, request.study_id);
  std::vector<std::string> columns = {"pseudonyme"};
  for (const auto& c : profile.columns) columns.push_back(c.name);
  const auto quasi = profile.quasiIdentifiers();
  json files = json::array();
  std::size_t rows = 0;
  std::map<std::string, std::size_t> emitted;  // per class of the plan: bounded like the plan
  const bool with_contacts = static_cast<bool>(request.survey_contact);
  if (with_contacts && profile.survey_contact.empty())
    throw core::DomainError(core::ErrorKind::configuration,
                            "profile " + profile.id + " has no survey-contact columns");
  std::size_t contacts = 0;
  {
    SealedOutput csv(partial / "data.csv.sealed", request.recipient);
    SealedOutput ndjson(partial / "data.ndjson.sealed", request.recipient);
    CsvWriter csv_rows([&](std::string_view text) { csv.writer.write(text); }, columns);
    std::optional<SealedOutput> contact_file;
    std::optional<CsvWriter> contact_rows;
    if (with_contacts) {
      std::vector<std::string> contact_columns = {"pseudonyme"};
      for (const auto& c : profile.survey_contact) contact_columns.push_back(c.name);
      contact_file.emplace(partial / "survey-contact.csv.sealed", request.recipient);
      contact_rows.emplace([&](std::string_view text) { contact_file->writer.write(text); },
                           contact_columns);
    }
    forEachDossier(
        store,
        [&](const core::DossierId& id, const std::map<core::Section, json>& sections) {
          if (!inPeriod(sections, request)) return;
          const auto projected = policies::project(profile, sections, request.reference_date);
          if (!planner.leaves(plan, projected)) return;
          const auto row = planner.rowOf(plan, projected, pseudonyms.of(id.str()));
          csv_rows.writeRow(row);
          ndjson.writer.write(row.dump() + "\n");
          ++emitted[classKey(row, quasi)];
          ++rows;
          if (!with_contacts) return;
          const auto fields = request.survey_contact(id, sections);
          if (fields.empty()) return;
          contact_rows->writeRow(contactRow(profile, fields, row["pseudonyme"].get<std::string>()));
          ++contacts;
        },
        read);
    const auto csv_hash = csv.writer.finish();
    const auto ndjson_hash = ndjson.writer.finish();
    csv.file.close();
    ndjson.file.close();
    files.push_back(fileEntry(partial / "data.csv.sealed", csv_hash));
    files.push_back(fileEntry(partial / "data.ndjson.sealed", ndjson_hash));
    if (with_contacts) {
      const auto contact_hash = contact_file->writer.finish();
      contact_file->file.close();
      files.push_back(fileEntry(partial / "survey-contact.csv.sealed", contact_hash));
    }
  }
  for (const auto& [key, count] : emitted)
    if (count < profile.k) {
      fs::remove_all(partial);
      throw PopulationChanged("dossiers changed during the export and a class fell below k = " +
                              std::to_string(profile.k) + "; nothing was published, run it again");
    }

  const auto dictionary = dataDictionary(profile, catalogue, plan.levels, with_contacts);
  writeClear(partial / "dictionary.json", dictionary.dump(2) + "\n", files);
  writeClear(partial / "dictionary.md", dataDictionaryMarkdown(dictionary), files);

  json levels = json::object();
  for (std::size_t i = 0; i < quasi.size(); ++i)
    levels[quasi[i]->name] = std::string(policies::toString(quasi[i]->levels[plan.levels[i]]));
  json manifest = {
      {"format", kFormat},
      {"study", request.study_id},
      {"profile", profile.id},
      {"profile_version", profile.version},
      {"catalogue_version", catalogue.version()},
      {"created_at", core::nowUtc()},
      {"reference_date", request.reference_date},
      {"period",
       {{"from", request.period_from.value_or("")}, {"to", request.period_to.value_or("")}}},
      {"persons_considered", considered},
      {"rows", rows},
      {"suppressed", considered - rows},
      {"classes", emitted.size()},
      {"smallest_class", plan.smallest_class},
      {"k", profile.k},
      {"l", profile.l ? json(*profile.l) : json(nullptr)},
      {"generalisations", levels},
      {"within_suppression_limit", plan.within_suppression_limit},
      {"survey_contact", with_contacts ? json{{"rows", contacts}} : json(nullptr)},
      {"recipient_public_key", crypto::toHex(std::string_view(
                                   reinterpret_cast<const char*>(request.recipient.data()), 32))},
      {"files", files}};
  const json signed_manifest = {{"manifest", manifest},
                                {"signature", signer.signHex(manifest.dump())},
                                {"public_key", signer.publicKeyHex()}};
  std::ofstream(partial / "manifest.json") << signed_manifest.dump(2) << "\n";
  fs::rename(partial, out_dir);
  return manifest;
}

json openExport(const fs::path& export_dir, const crypto::RecipientKeys& keys,
                const std::optional<std::string>& expected_signer, const fs::path& out_dir) {
  const auto refuse = [&](const std::string& why) -> core::DomainError {
    return core::DomainError(core::ErrorKind::integrity,
                             "export " + export_dir.string() + " refused: " + why);
  };
  std::ifstream in(export_dir / "manifest.json");
  if (!in) throw refuse("no manifest.json");
  json document;
  try {
    document = json::parse(in);
  } catch (const json::exception&) {  // a syntax error, or a number out of range
    throw refuse("manifest.json is not JSON");
  }
  if (!document.is_object() || !document.contains("manifest") ||
      !document["manifest"].is_object() || !document.contains("signature") ||
      !document["signature"].is_string() || !document.contains("public_key") ||
      !document["public_key"].is_string())
    throw refuse("manifest.json lacks its manifest, signature or public key");
  const auto& manifest = document["manifest"];
  const auto public_key = document["public_key"].get<std::string>();
  if (!crypto::verifySignature(manifest.dump(), document["signature"].get<std::string>(),
                               public_key))
    throw refuse("the manifest's signature does not verify (it was modified)");
  if (expected_signer && *expected_signer != public_key)
    throw refuse("the manifest was signed by " + public_key + ", not by the gateway key given");
  if (manifest.value("format", "") != kFormat) throw refuse("unknown format");
  if (manifest.value("recipient_public_key", "") != keys.publicKeyHex())
    throw refuse("it was sealed to another key than this secret key's");
  if (!manifest.contains("files") || !manifest["files"].is_array()) throw refuse("no file list");
  for (const auto& f : manifest["files"]) {
    const auto name = f.value("name", "");
    if (name.empty() || name.find('/') != std::string::npos || name[0] == '.')
      throw refuse("a file name in the manifest is not a plain name");
    const auto path = export_dir / name;
    if (!fs::exists(path)) throw refuse(name + " is missing");
    if (crypto::sha256HexOfFile(path.string()) != f.value("sha256", ""))
      throw refuse(name + " does not match the manifest (modified or truncated)");
  }
  const auto partial = freshPartial(out_dir);
  try {
    for (const auto& f : manifest["files"]) {
      const auto name = f["name"].get<std::string>();
      const auto path = export_dir / name;
      if (name.size() > 7 && name.substr(name.size() - 7) == ".sealed") {
        std::ifstream sealed(path, std::ios::binary);
        std::ofstream plain(partial / name.substr(0, name.size() - 7), std::ios::binary);
        crypto::openSealedStream(sealed, keys, [&](std::string_view chunk) {
          plain.write(chunk.data(), static_cast<std::streamsize>(chunk.size()));
        });
      } else {
        fs::copy_file(path, partial / name);
      }
    }
  } catch (const core::DomainError& e) {
    fs::remove_all(partial);
    throw refuse(e.what());
  }
  fs::rename(partial, out_dir);
  return manifest;
}

}  // namespace passerelle::connectors
