#include <Poco/Data/LOB.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/Exception.h>
#include <Poco/Logger.h>
#include <Poco/Timestamp.h>
#include <Poco/Tuple.h>

#include <algorithm>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "sqlite_database.hpp"
#include "sqlite_stores.hpp"

namespace passerelle::store {

using namespace Poco::Data::Keywords;
using core::DomainError;
using core::ErrorKind;

namespace {

using core::nowUtc;

core::Section sectionFromColumn(const std::string& name) {
  auto section = core::parseSection(name);
  if (!section) throw DomainError(ErrorKind::integrity, "stored row names an unknown section");
  return *section;
}

Poco::Data::BLOB toBlob(const crypto::Bytes& bytes) {
  return Poco::Data::BLOB(bytes.data(), bytes.size());
}

crypto::Bytes fromBlob(const Poco::Data::BLOB& blob) {
  return crypto::Bytes(blob.content().begin(), blob.content().end());
}

// section, version, author, source, written_at, content_hash, content, key_version
using VersionRow = Poco::Tuple<std::string, Poco::Int64, std::string, std::string, std::string,
                               std::string, Poco::Data::BLOB, Poco::Int64>;

// A VersionRow from the current row of a cached statement selecting its columns in order.
VersionRow versionRowOf(const CachedStatement& q) {
  const auto content = q.blob(6);
  return VersionRow(q.text(0), q.integer(1), q.text(2), q.text(3), q.text(4), q.text(5),
                    Poco::Data::BLOB(content.data(), content.size()), q.integer(7));
}

constexpr const char* kCurrentSectionsSql =
    "SELECT s.section, s.version, s.author, s.source, s.written_at, s.content_hash, s.content, "
    "s.key_version "
    "FROM section_versions s JOIN (SELECT section, MAX(version) AS v FROM section_versions "
    "WHERE dossier_id = ? GROUP BY section) m ON s.section = m.section AND s.version = m.v "
    "JOIN dossiers d ON d.id = s.dossier_id AND d.merged_into IS NULL "
    "WHERE s.dossier_id = ?";

class SqliteDossierStore final : public DossierStore {
 public:
  explicit SqliteDossierStore(std::shared_ptr<SqliteDatabase> db)
      : db_(std::move(db)),
        sealed_(db_->sealed),
        writes_(db_->writes),
        writer_(db_->writes.session()),
        readers_(db_->readers) {}

  bool probeWritable() override {
    if (writes_.writable()) return true;
    try {
      writes_.run([&] {
        writer_ << "INSERT OR REPLACE INTO liveness (id, probed_at) VALUES (1, ?)", bind(nowUtc()),
            now;
      });
      return true;
    } catch (const std::exception&) {
      return false;
    }
  }

  std::vector<VersionInfo> createDossier(
      const core::DossierId& id, const std::vector<std::pair<core::Section, std::string>>& sections,
      const std::vector<core::Identifier>& identifiers, const WriteContext& context,
      const ThenCreated& then) override {
    // The key first, durably: a crash before the dossier's rows leaves only an unused key; a
    // failed write takes its key with it.
    const auto cipher = sealed_.newDossierCipher(id);
    std::vector<VersionInfo> written;
    try {
      writes_.run([&] {
        for (const auto& identifier : identifiers) checkNotTaken(identifier, id);
        written = insertDossier(cipher, id, sections, identifiers, context);
        if (then) then();
      });
    } catch (...) {
      try {
        sealed_.shred({id});
      } catch (const std::exception&) {
        // An unused key of a dossier that does not exist opens nothing.
      }
      throw;
    }
    return written;
  }

  std::vector<VersionInfo> insertDossier(
      const crypto::Aead& cipher, const core::DossierId& id,
      const std::vector<std::pair<core::Section, std::string>>& sections,
      const std::vector<core::Identifier>& identifiers, const WriteContext& context) {
    noteChangedDossier(id);
    const auto at = nowUtc();
    writer_ << "INSERT INTO dossiers (id, created_at, created_by) VALUES (?, ?, ?)", bind(id.str()),
        bind(at), bind(context.author.str()), now;
    std::vector<VersionInfo> written;
    for (const auto& [section, content] : sections)
      written.push_back(insertVersion(cipher, id, section, 1, content, at, context));
    insertIdentifiers(id, identifiers);
    return written;
  }

  std::optional<core::DossierId> findByIdentifier(
      const core::Identifier& identifier) const override {
    auto ids = dossiersWithIdentifier(identifier);
    if (ids.size() != 1) return std::nullopt;
    return ids.front();
  }

  std::vector<core::DossierId> dossiersWithIdentifier(
      const core::Identifier& identifier) const override {
    std::vector<std::string> rows;
    {
      auto session = readers_.acquire();
      *session << "SELECT dossier_id FROM identifier_index WHERE kind = ? AND blind = ? "
                  "ORDER BY dossier_id",
          bind(std::string(core::toString(identifier.kind))), bind(sealed_.blindIndex(identifier)),
          into(rows), now;
    }
    std::vector<core::DossierId> out;
    for (const auto& r : rows) out.push_back(parseStoredId(r));
    return out;
  }

  bool exists(const core::DossierId& id) const override {
    auto session = readers_.acquire();
    return dossierExists(*session, id);
  }

  std::vector<SectionVersion> currentSections(const core::DossierId& id) const override {
    return currentSections(id, {});
  }

  std::vector<SectionVersion> currentSections(const core::DossierId& id,
                                              const std::set<core::Section>& only) const override {
    const auto cipher = sealed_.dossierCipher(id);
    if (!cipher) return {};  // no such dossier, or erased
    std::vector<VersionRow> rows;
    {
      auto session = readers_.acquire();
      auto query = session.statements().prepare(kCurrentSectionsSql);
      query.bind(id.str()).bind(id.str());
      while (query.step()) rows.push_back(versionRowOf(query));
    }
    std::vector<SectionVersion> out;
    for (const auto& row : rows) {
      const auto section = core::parseSection(row.get<0>());
      if (only.empty() || (section && only.count(*section)))
        out.push_back(decode(*cipher, id, row));
    }
    return out;
  }

  std::optional<SectionVersion> currentSection(const core::DossierId& id,
                                               core::Section section) const override {
    const auto cipher = sealed_.dossierCipher(id);
    if (!cipher) return std::nullopt;
    std::vector<VersionRow> rows;
    {
      auto session = readers_.acquire();
      auto query = session.statements().prepare(
          "SELECT s.section, s.version, s.author, s.source, s.written_at, s.content_hash, "
          "s.content, s.key_version FROM section_versions s JOIN dossiers d ON d.id = "
          "s.dossier_id AND d.merged_into IS NULL WHERE s.dossier_id = ? AND s.section = ? "
          "ORDER BY s.version DESC LIMIT 1");
      query.bind(id.str()).bind(core::toString(section));
      while (query.step()) rows.push_back(versionRowOf(query));
    }
    if (rows.empty()) return std::nullopt;
    return decode(*cipher, id, rows.front());
  }

  PutResult putSection(const core::DossierId& id, core::Section section, const std::string& content,
                       const Precondition& precondition,
                       const std::optional<IdentifierUpdate>& identifiers,
                       const WriteContext& context, const ThenPut& then) override {
    const auto cipher = cipherOf(id);
    std::optional<PutResult> result;
    writes_.run([&] {
      requireLive(id);
      checkPrecondition(precondition, currentInfo(id, section));
      result = writeVersion(cipher, id, {section, content, identifiers}, nowUtc(), context);
      if (then) then({*result});
    });
    return *result;
  }

  std::vector<PutResult> putSections(const core::DossierId& id,
                                     const std::vector<SectionWrite>& writes,
                                     const WriteContext& context, const ThenPut& then) override {
    const auto cipher = cipherOf(id);
    std::vector<PutResult> results;
    writes_.run([&] {
      requireLive(id);
      results.clear();
      const auto at = nowUtc();
      for (const auto& write : writes)
        results.push_back(writeVersion(cipher, id, write, at, context));
      if (then) then(results);
    });
    return results;
  }

  std::vector<VersionInfo> history(const core::DossierId& id) const override {
    using Row =
        Poco::Tuple<std::string, Poco::Int64, std::string, std::string, std::string, std::string>;
    std::vector<Row> rows;
    {
      auto session = readers_.acquire();
      *session << "SELECT s.section, s.version, s.author, s.source, s.written_at, "
                  "s.content_hash FROM section_versions s JOIN dossiers d ON d.id = s.dossier_id "
                  "WHERE s.dossier_id = ? AND d.erased_at IS NULL AND d.merged_into IS NULL "
                  "ORDER BY s.section, s.version",
          bind(id.str()), into(rows), now;
    }
    std::vector<VersionInfo> out;
    for (const auto& r : rows)
      out.push_back({sectionFromColumn(r.get<0>()), r.get<1>(), r.get<2>(), r.get<3>(), r.get<4>(),
                     r.get<5>()});
    return out;
  }

  std::int64_t dossierCount() const override {
    auto session = readers_.acquire();
    Poco::Int64 count = 0;
    *session << "SELECT COUNT(*) FROM dossiers WHERE erased_at IS NULL AND merged_into IS NULL",
        into(count), now;
    return count;
  }

  std::vector<core::DossierId> dossierIdsAfter(const std::optional<core::DossierId>& after,
                                               std::size_t limit) const override {
    std::vector<std::string> rows;
    {
      auto session = readers_.acquire();
      *session << "SELECT id FROM dossiers WHERE erased_at IS NULL AND merged_into IS NULL AND "
                  "id > ? ORDER BY id LIMIT ?",
          bind(after ? after->str() : std::string()), bind(static_cast<Poco::Int64>(limit)),
          into(rows), now;
    }
    std::vector<core::DossierId> out;
    for (const auto& r : rows) {
      const auto id = core::DossierId::parse(r);
      if (!id) throw DomainError(ErrorKind::integrity, "stored row names a malformed dossier id");
      out.push_back(*id);
    }
    return out;
  }

  std::vector<Change> changesAfter(std::int64_t sequence, std::size_t limit) const override {
    std::vector<Poco::Tuple<Poco::Int64, std::string, std::string, Poco::Int64, std::string,
                            Poco::Nullable<std::string>, Poco::Nullable<std::string>,
                            Poco::Nullable<std::string>>>
        rows;
    {
      auto session = readers_.acquire();
      // A notice stays for its partner even once the dossier it was filed under is erased.
      *session << "SELECT c.sequence, c.dossier_id, c.section, c.version, c.written_at, "
                  "c.merged_into, c.addressed_to, c.notice FROM change_log c "
                  "JOIN dossiers d ON d.id = c.dossier_id WHERE c.sequence > ? AND "
                  "(d.erased_at IS NULL OR c.addressed_to IS NOT NULL) ORDER BY c.sequence LIMIT ?",
          bind(Poco::Int64(sequence)), bind(static_cast<Poco::Int64>(limit)), into(rows), now;
    }
    std::vector<Change> out;
    for (const auto& r : rows) {
      Change change{r.get<0>(),
                    parseStoredId(r.get<1>()),
                    sectionFromColumn(r.get<2>()),
                    r.get<3>(),
                    r.get<4>(),
                    std::nullopt};
      if (!r.get<5>().isNull()) change.merged_into = parseStoredId(r.get<5>().value());
      if (!r.get<6>().isNull()) change.addressed_to = core::PartnerId(r.get<6>().value());
      if (!r.get<7>().isNull()) change.notice = r.get<7>().value();
      if (change.addressed_to.has_value() != change.notice.has_value())
        throw DomainError(ErrorKind::integrity, "change feed row: a notice without its partner");
      out.push_back(std::move(change));
    }
    return out;
  }

  std::vector<LastWrite> lastWrites() const override {
    std::vector<Poco::Tuple<std::string, std::string>> rows;
    {
      auto session = readers_.acquire();
      *session << "SELECT d.id, COALESCE(MAX(s.written_at), d.created_at) FROM dossiers d "
                  "LEFT JOIN section_versions s ON s.dossier_id = d.id "
                  "WHERE d.erased_at IS NULL AND d.merged_into IS NULL GROUP BY d.id "
                  "ORDER BY d.id",
          into(rows), now;
    }
    std::vector<LastWrite> out;
    for (const auto& r : rows) {
      const auto id = core::DossierId::parse(r.get<0>());
      if (!id) throw DomainError(ErrorKind::integrity, "stored row names a malformed dossier id");
      out.push_back({*id, r.get<1>()});
    }
    return out;
  }

  bool erase(const core::DossierId& id, const std::string& reason,
             const WriteContext& context) override {
    std::vector<core::DossierId> erased;
    writes_.run([&] {
      erased.clear();
      if (!dossierExists(writer_, id)) return;
      noteChangedDossier(id);
      // The dossiers merged into this one hold the same person's older versions.
      std::vector<std::string> merged;
      writer_ << "SELECT id FROM dossiers WHERE merged_into = ? AND erased_at IS NULL",
          bind(id.str()), into(merged), now;
      for (const auto& m : merged) {
        erased.push_back(parseStoredId(m));
        noteChangedDossier(erased.back());
        writer_ << "UPDATE dossiers SET erased_at = ?, erased_by = ? WHERE id = ?", bind(nowUtc()),
            bind(context.author.str()), bind(m), now;
      }
      erased.push_back(id);
      writer_ << "DELETE FROM identifier_index WHERE dossier_id = ?", bind(id.str()), now;
      writer_ << "UPDATE dossiers SET erased_at = ?, erased_by = ?, erasure_reason = ? "
                 "WHERE id = ?",
          bind(nowUtc()), bind(context.author.str()),
          bind(toBlob(sealed_.sealErasureReason(id, reason))), bind(id.str()), now;
    });
    if (erased.empty()) return false;
    // The keys once the erasure is committed with its audit outbox row: a refused erasure then
    // destroys nothing. A failure or a crash here leaves keys of erased dossiers, which no read
    // uses and the next start destroys (shredKeysOfErasedDossiers).
    try {
      sealed_.shred(erased);
    } catch (const std::exception& e) {
      Poco::Logger::get("passerelle.store")
          .error("erasure committed, data keys left to destroy at the next start: %s",
                 std::string(e.what()));
    }
    return true;
  }

  std::optional<core::DossierId> mergedInto(const core::DossierId& id) const override {
    auto session = readers_.acquire();
    std::optional<core::DossierId> target;
    auto current = id.str();
    for (int hops = 0; hops < 64; ++hops) {  // a chain of merges, never a cycle
      Poco::Nullable<std::string> next;
      *session << "SELECT merged_into FROM dossiers WHERE id = ? AND erased_at IS NULL",
          bind(current), into(next), now;
      if (next.isNull()) break;
      current = next.value();
      target = parseStoredId(current);
    }
    return target;
  }

  std::string openCase(const ReconciliationCase& c) override {
    nlohmann::json dossiers = nlohmann::json::array(), places = nlohmann::json::array(),
                   contested = nlohmann::json::array();
    for (const auto& d : c.dossiers) dossiers.push_back(d.str());
    for (const auto& p : c.places) places.push_back(p);
    for (const auto& [kind, d] : c.contested)
      contested.push_back({{"kind", std::string(core::toString(kind))}, {"dossier", d.str()}});
    std::vector<std::string> blinds;
    for (const auto& identifier : c.carried)
      blinds.push_back(std::string(core::toString(identifier.kind)) + ":" +
                       sealed_.blindIndex(identifier));
    std::sort(blinds.begin(), blinds.end());
    std::string material = c.opened_by.str();
    for (const auto& b : blinds) material += "\n" + b;
    const auto fingerprint = crypto::sha256Hex(material);
    const auto random = crypto::randomBytes(16);
    std::array<std::uint8_t, 16> bytes{};
    std::copy(random.begin(), random.end(), bytes.begin());
    std::string id = core::randomIdText('k', bytes);
    writes_.run([&] {
      std::vector<std::string> existing;
      writer_ << "SELECT id FROM reconciliation_cases WHERE fingerprint = ? AND status = 'open'",
          bind(fingerprint), into(existing), now;
      if (!existing.empty()) {
        id = existing.front();
        return;
      }
      writer_ << "INSERT INTO reconciliation_cases (id, fingerprint, opened_at, opened_by, "
                 "source, position, dossiers, places, contested, status) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
          bind(id), bind(fingerprint), bind(nowUtc()), bind(c.opened_by.str()), bind(c.source),
          bind(c.position.empty() ? std::string("{}") : c.position), bind(dossiers.dump()),
          bind(places.dump()), bind(contested.dump()), now;
    });
    return id;
  }

  std::vector<ReconciliationCase> openCases(std::size_t limit) const override {
    return cases("WHERE status = 'open' ORDER BY opened_at, id LIMIT ?",
                 [&](Poco::Data::Statement& s) { s, bind(static_cast<Poco::Int64>(limit)); });
  }

  std::optional<ReconciliationCase> findCase(const std::string& id) const override {
    auto found = cases("WHERE id = ?", [&](Poco::Data::Statement& s) { s, bind(id); });
    if (found.empty()) return std::nullopt;
    return found.front();
  }

  void resolveCase(const std::string& id, const CaseResolution& r,
                   const WriteContext& context) override {
    // Keys unwrapped before queueing, as for any write.
    std::vector<crypto::Aead> ciphers;
    for (const auto& [dossier, writes] : r.writes) ciphers.push_back(cipherOf(dossier));
    writes_.run([&] {
      std::vector<std::string> status;
      writer_ << "SELECT status FROM reconciliation_cases WHERE id = ?", bind(id), into(status),
          now;
      if (status.empty()) throw DomainError(ErrorKind::not_found, "no such reconciliation case");
      if (status.front() != "open")
        throw DomainError(ErrorKind::conflict, "this reconciliation case is already resolved");
      const auto at = nowUtc();
      if (r.merge) {
        const auto& [into, from] = *r.merge;
        requireLive(into);
        requireLive(from);
        noteChangedDossier(into);
        noteChangedDossier(from);
        writer_ << "DELETE FROM identifier_index WHERE dossier_id = ?", bind(from.str()), now;
        writer_ << "UPDATE relationships SET dossier_id = ? WHERE dossier_id = ?", bind(into.str()),
            bind(from.str()), now;
        writer_ << "UPDATE consents SET dossier_id = ? WHERE dossier_id = ?", bind(into.str()),
            bind(from.str()), now;
        writer_ << "UPDATE dossiers SET merged_into = ?, merged_at = ? WHERE id = ?",
            bind(into.str()), bind(at), bind(from.str()), now;
        writer_ << "INSERT INTO change_log (dossier_id, section, version, written_at, merged_into) "
                   "VALUES (?, 'identite', 0, ?, ?)",
            bind(from.str()), bind(at), bind(into.str()), now;
      }
      for (std::size_t i = 0; i < r.writes.size(); ++i) {
        const auto& [dossier, writes] = r.writes[i];
        requireLive(dossier);
        for (const auto& write : writes) writeVersion(ciphers[i], dossier, write, at, context);
      }
      if (r.notice)
        writer_ << "INSERT INTO change_log (dossier_id, section, version, written_at, "
                   "addressed_to, notice) VALUES (?, 'identite', 0, ?, ?, ?)",
            bind(r.notice->dossier.str()), bind(at), bind(r.notice->to.str()), bind(r.notice->body),
            now;
      writer_ << "UPDATE reconciliation_cases SET status = ?, resolved_at = ?, resolved_by = ?, "
                 "resolution = ? WHERE id = ?",
          bind(r.status), bind(at), bind(context.author.str()), bind(r.resolution), bind(id), now;
    });
  }

 private:
  template <class Bind>
  std::vector<ReconciliationCase> cases(const std::string& where, Bind&& bindAll) const {
    using Row =
        Poco::Tuple<std::string, std::string, std::string, std::string, std::string, std::string,
                    std::string, std::string, std::string, Poco::Nullable<std::string>,
                    Poco::Nullable<std::string>, Poco::Nullable<std::string>>;
    std::vector<Row> rows;
    {
      auto session = readers_.acquire();
      Poco::Data::Statement statement(*session);
      statement << "SELECT id, opened_at, opened_by, source, position, dossiers, places, "
                   "contested, status, resolved_at, resolved_by, resolution "
                   "FROM reconciliation_cases " +
                       where;
      bindAll(statement);
      statement, into(rows);
      statement.execute();
    }
    std::vector<ReconciliationCase> out;
    for (const auto& row : rows) {
      ReconciliationCase c;
      c.id = row.get<0>();
      c.opened_at = row.get<1>();
      c.opened_by = core::PartnerId(row.get<2>());
      c.source = row.get<3>();
      c.position = row.get<4>();
      for (const auto& d : nlohmann::json::parse(row.get<5>()))
        c.dossiers.push_back(parseStoredId(d.get<std::string>()));
      for (const auto& p : nlohmann::json::parse(row.get<6>())) c.places.push_back(p);
      for (const auto& x : nlohmann::json::parse(row.get<7>())) {
        const auto kind = core::parseIdentifierKind(x["kind"].get<std::string>());
        if (!kind)
          throw DomainError(ErrorKind::integrity, "a case names an unknown identifier kind");
        c.contested.emplace_back(*kind, parseStoredId(x["dossier"].get<std::string>()));
      }
      c.status = row.get<8>();
      c.resolved_at = fromNullable(row.get<9>());
      c.resolved_by = fromNullable(row.get<10>());
      c.resolution = fromNullable(row.get<11>());
      out.push_back(std::move(c));
    }
    return out;
  }

  // Unwrapped before queueing, so that the group's writer does not wait on the key store.
  crypto::Aead cipherOf(const core::DossierId& id) {
    auto cipher = sealed_.dossierCipher(id);
    if (!cipher) throw DomainError(ErrorKind::not_found, "no such dossier");
    return std::move(*cipher);
  }

  // Inside a write queue's work: the dossier may have been erased since its key was read.
  void requireLive(const core::DossierId& id) {
    auto query = writes_.statements().prepare(
        "SELECT COUNT(*) FROM dossiers WHERE id = ? AND erased_at IS NULL AND merged_into IS NULL");
    query.bind(id.str());
    if (!query.step() || query.integer(0) == 0)
      throw DomainError(ErrorKind::not_found, "no such dossier");
  }

  // Inside a write queue's work. Writes nothing when the content
  // equals the current version.
  PutResult writeVersion(const crypto::Aead& cipher, const core::DossierId& id,
                         const SectionWrite& write, const std::string& at,
                         const WriteContext& context) {
    noteChangedDossier(id);
    const auto current = currentInfo(id, write.section);
    if (current && current->content_hash == sealed_.contentHash(write.content))
      return {*current, false};
    if (write.identifiers) {
      for (const auto& identifier : write.identifiers->values) checkNotTaken(identifier, id);
      for (auto kind : write.identifiers->kinds)
        writer_ << "DELETE FROM identifier_index WHERE dossier_id = ? AND kind = ?", bind(id.str()),
            bind(std::string(core::toString(kind))), now;
      insertIdentifiers(id, write.identifiers->values);
    }
    const std::int64_t version = current ? current->version + 1 : 1;
    return {insertVersion(cipher, id, write.section, version, write.content, at, context), true};
  }

  static core::DossierId parseStoredId(const std::string& text) {
    const auto id = core::DossierId::parse(text);
    if (!id) throw DomainError(ErrorKind::integrity, "stored row names a malformed dossier id");
    return *id;
  }

  // Inside a write queue's work.
  std::optional<VersionInfo> currentInfo(const core::DossierId& id, core::Section section) {
    auto query = writes_.statements().prepare(
        "SELECT version, author, source, written_at, content_hash FROM section_versions "
        "WHERE dossier_id = ? AND section = ? ORDER BY version DESC LIMIT 1");
    query.bind(id.str()).bind(core::toString(section));
    if (!query.step()) return std::nullopt;
    return VersionInfo{section,       query.integer(0), query.text(1),
                       query.text(2), query.text(3),    query.text(4)};
  }

  static void checkPrecondition(const Precondition& p, const std::optional<VersionInfo>& current) {
    switch (p.kind) {
      case Precondition::Kind::none:
        return;
      case Precondition::Kind::absent:
        if (current)
          throw DomainError(ErrorKind::precondition_failed, "the section already exists");
        return;
      case Precondition::Kind::present:
        if (!current)
          throw DomainError(ErrorKind::precondition_failed, "the section does not exist yet");
        return;
      case Precondition::Kind::version:
        if (!current || current->version != p.version)
          throw DomainError(ErrorKind::precondition_failed,
                            "the section has changed since the version given in If-Match");
        return;
    }
  }

  // Inside a write queue's work.
  void checkNotTaken(const core::Identifier& identifier, const core::DossierId& id) {
    if (core::isHouseholdIdentifier(identifier.kind)) return;  // shared by design
    std::vector<std::string> owners;
    writer_ << "SELECT dossier_id FROM identifier_index WHERE kind = ? AND blind = ?",
        bind(std::string(core::toString(identifier.kind))), bind(sealed_.blindIndex(identifier)),
        into(owners), now;
    if (!owners.empty() && owners.front() != id.str())
      throw DomainError(ErrorKind::conflict, "the " + std::string(core::toString(identifier.kind)) +
                                                 " identifier already belongs to another dossier");
  }

  void insertIdentifiers(const core::DossierId& id, const std::vector<core::Identifier>& values) {
    for (const auto& identifier : values)
      writer_
          << "INSERT OR REPLACE INTO identifier_index (kind, blind, dossier_id) VALUES (?, ?, ?)",
          bind(std::string(core::toString(identifier.kind))), bind(sealed_.blindIndex(identifier)),
          bind(id.str()), now;
  }

  VersionInfo insertVersion(const crypto::Aead& cipher, const core::DossierId& id,
                            core::Section section, std::int64_t version, const std::string& content,
                            const std::string& at, const WriteContext& context) {
    VersionInfo info{section,        version, context.author.str(),
                     context.source, at,      sealed_.contentHash(content)};
    auto& statements = writes_.statements();
    {
      auto insert = statements.prepare(
          "INSERT INTO section_versions (dossier_id, section, version, author, source, "
          "written_at, content_hash, content, key_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
      insert.bind(id.str())
          .bind(core::toString(section))
          .bind(std::int64_t{version})
          .bind(info.author)
          .bind(info.source)
          .bind(info.written_at)
          .bind(info.content_hash)
          .bind(sealed_.seal(cipher, id, section, version, content))
          .bind(std::int64_t{SealedContent::kKeyVersion});
      insert.step();
    }
    auto log = statements.prepare(
        "INSERT INTO change_log (dossier_id, section, version, written_at) VALUES (?, ?, ?, ?)");
    log.bind(id.str())
        .bind(core::toString(section))
        .bind(std::int64_t{version})
        .bind(info.written_at);
    log.step();
    return info;
  }

  SectionVersion decode(const crypto::Aead& cipher, const core::DossierId& id,
                        const VersionRow& row) const {
    const auto section = sectionFromColumn(row.get<0>());
    SectionVersion v{
        {section, row.get<1>(), row.get<2>(), row.get<3>(), row.get<4>(), row.get<5>()}, {}};
    v.content =
        sealed_.open(cipher, id, section, v.info.version, row.get<7>(), fromBlob(row.get<6>()));
    return v;
  }

  std::shared_ptr<SqliteDatabase> db_;
  SealedContent& sealed_;
  SqliteWriteQueue& writes_;
  Poco::Data::Session& writer_;  // writes_'s session: only inside its works
  SqliteConnectionPool& readers_;
};

}  // namespace

void shredKeysOfErasedDossiers(SqliteDatabase& db) {
  std::vector<std::string> rows;
  {
    auto session = db.readers.acquire();
    *session << "SELECT id FROM dossiers WHERE erased_at IS NOT NULL", into(rows), now;
  }
  std::vector<core::DossierId> ids;
  for (const auto& r : rows)
    if (auto id = core::DossierId::parse(r)) ids.push_back(*id);
  try {
    db.sealed.shred(ids);
  } catch (const std::exception& e) {
    // A full disk must not keep the gateway from starting (and saying it is not ready).
    Poco::Logger::get("passerelle.store")
        .error("data keys of erased dossiers left to destroy: %s", std::string(e.what()));
  }
}

void resealLegacySections(SqliteDatabase& db) {
  db.writes.run([&] {
    auto& writer = db.writes.session();
    using Row = Poco::Tuple<std::string, std::string, Poco::Int64, Poco::Data::BLOB>;
    std::vector<Row> rows;
    writer << "SELECT dossier_id, section, version, content FROM section_versions "
              "WHERE key_version = 0 ORDER BY dossier_id",
        into(rows), now;
    std::optional<core::DossierId> current;
    std::optional<crypto::Aead> cipher;
    for (const auto& r : rows) {
      const auto id = core::DossierId::parse(r.get<0>());
      if (!id) throw DomainError(ErrorKind::integrity, "stored row names a malformed dossier id");
      if (current != *id) {
        current = *id;
        cipher = db.sealed.dossierCipher(*id);
        if (!cipher) cipher.emplace(db.sealed.newDossierCipher(*id));
      }
      const auto section = sectionFromColumn(r.get<1>());
      const auto plain = db.sealed.openLegacy(*id, section, r.get<2>(), fromBlob(r.get<3>()));
      writer << "UPDATE section_versions SET content = ?, key_version = ? "
                "WHERE dossier_id = ? AND section = ? AND version = ?",
          bind(toBlob(db.sealed.seal(*cipher, *id, section, r.get<2>(), plain))),
          bind(Poco::Int64(SealedContent::kKeyVersion)), bind(id->str()), bind(r.get<1>()),
          bind(r.get<2>()), now;
    }
  });
}

std::unique_ptr<DossierStore> makeSqliteDossierStore(std::shared_ptr<SqliteDatabase> db) {
  return std::make_unique<SqliteDossierStore>(std::move(db));
}

}  // namespace passerelle::store
