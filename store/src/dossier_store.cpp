#include <Poco/Logger.h>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/store/pending_audit.hpp"
#include "sql_stores.hpp"

namespace passerelle::store {

using core::DomainError;
using core::ErrorKind;

namespace {

using core::nowUtc;

core::Section sectionFromColumn(const std::string& name) {
  auto section = core::parseSection(name);
  if (!section) throw DomainError(ErrorKind::integrity, "stored row names an unknown section");
  return *section;
}

core::DossierId parseStoredId(const std::string& text) {
  const auto id = core::DossierId::parse(text);
  if (!id) throw DomainError(ErrorKind::integrity, "stored row names a malformed dossier id");
  return *id;
}

// One stored version with its sealed content.
struct VersionRow {
  VersionInfo info;
  crypto::Bytes content;
  std::int64_t key_version = 0;
};

// A VersionRow from a row selecting kVersionColumns in order.
VersionRow versionRowOf(const SqlRows& r) {
  const auto content = r.blob(6);
  return {{sectionFromColumn(r.text(0)), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5)},
          crypto::Bytes(content.begin(), content.end()),
          r.integer(7)};
}

VersionInfo versionInfoOf(const SqlRows& r) {
  return {sectionFromColumn(r.text(0)), r.integer(1), r.text(2), r.text(3), r.text(4), r.text(5)};
}

constexpr const char* kCurrentSectionsSql =
    "SELECT s.section, s.version, s.author, s.source, s.written_at, s.content_hash, s.content, "
    "s.key_version "
    "FROM section_versions s JOIN (SELECT section, MAX(version) AS v FROM section_versions "
    "WHERE dossier_id = ? GROUP BY section) m ON s.section = m.section AND s.version = m.v "
    "JOIN dossiers d ON d.id = s.dossier_id AND d.merged_into IS NULL "
    "WHERE s.dossier_id = ?";

constexpr const char* kLiveDossierSql =
    "SELECT COUNT(*) FROM dossiers WHERE id = ? AND erased_at IS NULL AND merged_into IS NULL";

bool dossierLive(SqlConnection& c, const core::DossierId& id) {
  auto rows = c.query(kLiveDossierSql, {id.str()});
  return rows->next() && rows->integer(0) > 0;
}

// Statements are the keys of a connection's prepared statements, so they are literals: the
// case's columns joined to each at compile time.
#define PASSERELLE_SELECT_CASES                                                              \
  "SELECT id, opened_at, opened_by, source, position, dossiers, places, contested, status, " \
  "resolved_at, resolved_by, resolution FROM reconciliation_cases "
constexpr const char* kOpenCasesSql =
    PASSERELLE_SELECT_CASES "WHERE status = 'open' ORDER BY opened_at, id LIMIT ?";
constexpr const char* kDecidedCasesSql =
    PASSERELLE_SELECT_CASES "WHERE status <> 'open' ORDER BY resolved_at DESC, id LIMIT ?";
constexpr const char* kCaseByIdSql = PASSERELLE_SELECT_CASES "WHERE id = ?";
#undef PASSERELLE_SELECT_CASES

ReconciliationCase caseOf(const SqlRows& row) {
  ReconciliationCase c;
  c.id = row.text(0);
  c.opened_at = row.text(1);
  c.opened_by = core::PartnerId(row.text(2));
  c.source = row.text(3);
  c.position = row.text(4);
  for (const auto& d : nlohmann::json::parse(row.text(5)))
    c.dossiers.push_back(parseStoredId(d.get<std::string>()));
  for (const auto& p : nlohmann::json::parse(row.text(6))) c.places.push_back(p);
  for (const auto& x : nlohmann::json::parse(row.text(7))) {
    const auto kind = core::parseIdentifierKind(x["kind"].get<std::string>());
    if (!kind) throw DomainError(ErrorKind::integrity, "a case names an unknown identifier kind");
    c.contested.emplace_back(*kind, parseStoredId(x["dossier"].get<std::string>()));
  }
  c.status = row.text(8);
  c.resolved_at = row.optionalText(9);
  c.resolved_by = row.optionalText(10);
  c.resolution = row.optionalText(11);
  return c;
}

// The key a write to one dossier serialises on (SqlConnection::serialise).
std::string dossierKey(const core::DossierId& id) {
  return "dossier:" + id.str();
}

}  // namespace

bool dossierExists(SqlConnection& connection, const core::DossierId& id) {
  return dossierLive(connection, id);
}

namespace {

class SqlDossierStore final : public DossierStore {
 public:
  SqlDossierStore(std::shared_ptr<SqlDatabase> db, std::shared_ptr<SealedContent> sealed)
      : db_(std::move(db)), sealed_(std::move(sealed)) {}

  bool probeWritable() override {
    if (db_->writable()) return true;
    try {
      db_->write([&](SqlConnection& c) {
        c.execute(
            "INSERT INTO liveness (id, probed_at) VALUES (1, ?) "
            "ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at",
            {nowUtc()});
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
    const auto cipher = sealed_->newDossierCipher(id);
    std::vector<VersionInfo> written;
    try {
      db_->write([&](SqlConnection& c) {
        for (const auto& identifier : identifiers) checkNotTaken(c, identifier, id);
        written = insertDossier(c, cipher, id, sections, identifiers, context);
        if (then) then();
      });
    } catch (...) {
      try {
        sealed_->shred({id});
      } catch (const std::exception&) {
        // An unused key of a dossier that does not exist opens nothing.
      }
      throw;
    }
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
    std::vector<core::DossierId> out;
    db_->read([&](SqlConnection& c) {
      out = collect<core::DossierId>(
          c,
          "SELECT dossier_id FROM identifier_index WHERE kind = ? AND blind = ? "
          "ORDER BY dossier_id",
          {std::string(core::toString(identifier.kind)), sealed_->blindIndex(identifier)},
          [](const SqlRows& r) { return parseStoredId(r.text(0)); });
    });
    return out;
  }

  bool exists(const core::DossierId& id) const override {
    bool live = false;
    db_->read([&](SqlConnection& c) { live = dossierLive(c, id); });
    return live;
  }

  std::vector<SectionVersion> currentSections(const core::DossierId& id) const override {
    return currentSections(id, {});
  }

  std::vector<SectionVersion> currentSections(const core::DossierId& id,
                                              const std::set<core::Section>& only) const override {
    const auto cipher = sealed_->dossierCipher(id);
    if (!cipher) return {};  // no such dossier, or erased
    std::vector<VersionRow> rows;
    db_->read([&](SqlConnection& c) {
      rows = collect<VersionRow>(c, kCurrentSectionsSql, {id.str(), id.str()}, versionRowOf);
    });
    std::vector<SectionVersion> out;
    for (auto& row : rows)
      if (only.empty() || only.count(row.info.section)) out.push_back(decode(*cipher, id, row));
    return out;
  }

  std::optional<SectionVersion> currentSection(const core::DossierId& id,
                                               core::Section section) const override {
    const auto cipher = sealed_->dossierCipher(id);
    if (!cipher) return std::nullopt;
    std::vector<VersionRow> rows;
    db_->read([&](SqlConnection& c) {
      rows = collect<VersionRow>(
          c,
          "SELECT s.section, s.version, s.author, s.source, s.written_at, s.content_hash, "
          "s.content, s.key_version FROM section_versions s JOIN dossiers d ON d.id = "
          "s.dossier_id AND d.merged_into IS NULL WHERE s.dossier_id = ? AND s.section = ? "
          "ORDER BY s.version DESC LIMIT 1",
          {id.str(), std::string(core::toString(section))}, versionRowOf);
    });
    if (rows.empty()) return std::nullopt;
    return decode(*cipher, id, rows.front());
  }

  PutResult putSection(const core::DossierId& id, core::Section section, const std::string& content,
                       const Precondition& precondition,
                       const std::optional<IdentifierUpdate>& identifiers,
                       const WriteContext& context, const ThenPut& then) override {
    const auto cipher = cipherOf(id);
    std::optional<PutResult> result;
    db_->write([&](SqlConnection& c) {
      requireLive(c, id);
      checkPrecondition(precondition, currentInfo(c, id, section));
      result = writeVersion(c, cipher, id, {section, content, identifiers}, nowUtc(), context);
      if (then) then({*result});
    });
    return *result;
  }

  std::vector<PutResult> putSections(const core::DossierId& id,
                                     const std::vector<SectionWrite>& writes,
                                     const WriteContext& context, const ThenPut& then) override {
    const auto cipher = cipherOf(id);
    std::vector<PutResult> results;
    db_->write([&](SqlConnection& c) {
      requireLive(c, id);
      results.clear();
      const auto at = nowUtc();
      for (const auto& write : writes)
        results.push_back(writeVersion(c, cipher, id, write, at, context));
      if (then) then(results);
    });
    return results;
  }

  std::vector<VersionInfo> history(const core::DossierId& id) const override {
    std::vector<VersionInfo> out;
    db_->read([&](SqlConnection& c) {
      out = collect<VersionInfo>(
          c,
          "SELECT s.section, s.version, s.author, s.source, s.written_at, "
          "s.content_hash FROM section_versions s JOIN dossiers d ON d.id = s.dossier_id "
          "WHERE s.dossier_id = ? AND d.erased_at IS NULL AND d.merged_into IS NULL "
          "ORDER BY s.section, s.version",
          {id.str()}, versionInfoOf);
    });
    return out;
  }

  std::int64_t dossierCount() const override {
    std::int64_t count = 0;
    db_->read([&](SqlConnection& c) {
      auto rows =
          c.query("SELECT COUNT(*) FROM dossiers WHERE erased_at IS NULL AND merged_into IS NULL");
      if (rows->next()) count = rows->integer(0);
    });
    return count;
  }

  std::vector<core::DossierId> dossierIdsAfter(const std::optional<core::DossierId>& after,
                                               std::size_t limit) const override {
    std::vector<core::DossierId> out;
    db_->read([&](SqlConnection& c) {
      out = collect<core::DossierId>(
          c,
          "SELECT id FROM dossiers WHERE erased_at IS NULL AND merged_into IS NULL AND "
          "id > ? ORDER BY id LIMIT ?",
          {after ? after->str() : std::string(), static_cast<std::int64_t>(limit)},
          [](const SqlRows& r) { return parseStoredId(r.text(0)); });
    });
    return out;
  }

  std::vector<Change> changesAfter(std::int64_t sequence, std::size_t limit) const override {
    std::vector<Change> out;
    db_->read([&](SqlConnection& c) {
      // A notice stays for its partner even once the dossier it was filed under is erased.
      out = collect<Change>(
          c,
          "SELECT c.sequence, c.dossier_id, c.section, c.version, c.written_at, "
          "c.merged_into, c.addressed_to, c.notice FROM change_log c "
          "JOIN dossiers d ON d.id = c.dossier_id WHERE c.sequence > ? AND "
          "(d.erased_at IS NULL OR c.addressed_to IS NOT NULL) ORDER BY c.sequence LIMIT ?",
          {sequence, static_cast<std::int64_t>(limit)}, [](const SqlRows& r) {
            Change change{r.integer(0),
                          parseStoredId(r.text(1)),
                          sectionFromColumn(r.text(2)),
                          r.integer(3),
                          r.text(4),
                          std::nullopt};
            if (auto merged = r.optionalText(5)) change.merged_into = parseStoredId(*merged);
            if (auto to = r.optionalText(6)) change.addressed_to = core::PartnerId(*to);
            change.notice = r.optionalText(7);
            if (change.addressed_to.has_value() != change.notice.has_value())
              throw DomainError(ErrorKind::integrity,
                                "change feed row: a notice without its partner");
            return change;
          });
    });
    return out;
  }

  std::vector<LastWrite> lastWrites() const override {
    std::vector<LastWrite> out;
    db_->read([&](SqlConnection& c) {
      out = collect<LastWrite>(
          c,
          "SELECT d.id, COALESCE(MAX(s.written_at), d.created_at) FROM dossiers d "
          "LEFT JOIN section_versions s ON s.dossier_id = d.id "
          "WHERE d.erased_at IS NULL AND d.merged_into IS NULL GROUP BY d.id, d.created_at "
          "ORDER BY d.id",
          {}, [](const SqlRows& r) {
            return LastWrite{parseStoredId(r.text(0)), r.text(1)};
          });
    });
    return out;
  }

  bool erase(const core::DossierId& id, const std::string& reason,
             const WriteContext& context) override {
    std::vector<core::DossierId> erased;
    db_->write([&](SqlConnection& c) {
      erased.clear();
      c.serialise(dossierKey(id));
      if (!dossierLive(c, id)) return;
      noteChangedDossier(id);
      // The dossiers merged into this one hold the same person's older versions.
      const auto merged = collect<core::DossierId>(
          c, "SELECT id FROM dossiers WHERE merged_into = ? AND erased_at IS NULL", {id.str()},
          [](const SqlRows& r) { return parseStoredId(r.text(0)); });
      for (const auto& m : merged) {
        erased.push_back(m);
        noteChangedDossier(m);
        c.execute("UPDATE dossiers SET erased_at = ?, erased_by = ? WHERE id = ?",
                  {nowUtc(), context.author.str(), m.str()});
      }
      erased.push_back(id);
      c.execute("DELETE FROM identifier_index WHERE dossier_id = ?", {id.str()});
      c.execute("UPDATE dossiers SET erased_at = ?, erased_by = ?, erasure_reason = ? WHERE id = ?",
                {nowUtc(), context.author.str(), sealed_->sealErasureReason(id, reason), id.str()});
    });
    if (erased.empty()) return false;
    // The keys once the erasure is committed with its audit outbox row: a refused erasure then
    // destroys nothing. A failure or a crash here leaves keys of erased dossiers, which no read
    // uses and the next start destroys (shredKeysOfErasedDossiers).
    try {
      sealed_->shred(erased);
    } catch (const std::exception& e) {
      Poco::Logger::get("passerelle.store")
          .error("erasure committed, data keys left to destroy at the next start: %s",
                 std::string(e.what()));
    }
    return true;
  }

  std::optional<core::DossierId> mergedInto(const core::DossierId& id) const override {
    std::optional<core::DossierId> target;
    db_->read([&](SqlConnection& c) {
      auto current = id.str();
      for (int hops = 0; hops < 64; ++hops) {  // a chain of merges, never a cycle
        auto rows = c.query("SELECT merged_into FROM dossiers WHERE id = ? AND erased_at IS NULL",
                            {current});
        if (!rows->next() || rows->isNull(0)) break;
        current = rows->text(0);
        target = parseStoredId(current);
      }
    });
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
                       sealed_->blindIndex(identifier));
    std::sort(blinds.begin(), blinds.end());
    std::string material = c.opened_by.str();
    for (const auto& b : blinds) material += "\n" + b;
    const auto fingerprint = crypto::sha256Hex(material);
    const auto random = crypto::randomBytes(16);
    std::array<std::uint8_t, 16> bytes{};
    std::copy(random.begin(), random.end(), bytes.begin());
    std::string id = core::randomIdText('k', bytes);
    db_->write([&](SqlConnection& w) {
      w.serialise("case:" + fingerprint);
      auto existing =
          w.query("SELECT id FROM reconciliation_cases WHERE fingerprint = ? AND status = 'open'",
                  {fingerprint});
      if (existing->next()) {
        id = existing->text(0);
        return;
      }
      existing.reset();
      w.execute(
          "INSERT INTO reconciliation_cases (id, fingerprint, opened_at, opened_by, "
          "source, position, dossiers, places, contested, status) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')",
          {id, fingerprint, nowUtc(), c.opened_by.str(), c.source,
           c.position.empty() ? std::string("{}") : c.position, dossiers.dump(), places.dump(),
           contested.dump()});
    });
    return id;
  }

  std::vector<ReconciliationCase> openCases(std::size_t limit) const override {
    return cases(kOpenCasesSql, {static_cast<std::int64_t>(limit)});
  }

  std::vector<ReconciliationCase> decidedCases(std::size_t limit) const override {
    return cases(kDecidedCasesSql, {static_cast<std::int64_t>(limit)});
  }

  std::optional<ReconciliationCase> findCase(const std::string& id) const override {
    auto found = cases(kCaseByIdSql, {id});
    if (found.empty()) return std::nullopt;
    return found.front();
  }

  void resolveCase(const std::string& id, const CaseResolution& r,
                   const WriteContext& context) override {
    // Keys unwrapped before queueing, as for any write.
    std::vector<crypto::Aead> ciphers;
    for (const auto& [dossier, writes] : r.writes) ciphers.push_back(cipherOf(dossier));
    db_->write([&](SqlConnection& c) {
      // Every dossier the decision touches, in one order, before anything is read: two
      // decisions on overlapping dossiers wait for each other instead of deadlocking.
      std::vector<std::string> keys{"case-id:" + id};
      if (r.merge) {
        keys.push_back(dossierKey(r.merge->first));
        keys.push_back(dossierKey(r.merge->second));
      }
      for (const auto& [dossier, writes] : r.writes) keys.push_back(dossierKey(dossier));
      std::sort(keys.begin(), keys.end());
      keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
      for (const auto& key : keys) c.serialise(key);
      auto status = c.query("SELECT status FROM reconciliation_cases WHERE id = ?", {id});
      if (!status->next()) throw DomainError(ErrorKind::not_found, "no such reconciliation case");
      if (status->text(0) != "open")
        throw DomainError(ErrorKind::conflict, "this reconciliation case is already resolved");
      status.reset();
      const auto at = nowUtc();
      if (r.merge) {
        const auto& [into, from] = *r.merge;
        requireLive(c, into);
        requireLive(c, from);
        noteChangedDossier(into);
        noteChangedDossier(from);
        c.execute("DELETE FROM identifier_index WHERE dossier_id = ?", {from.str()});
        c.execute("UPDATE relationships SET dossier_id = ? WHERE dossier_id = ?",
                  {into.str(), from.str()});
        c.execute("UPDATE consents SET dossier_id = ? WHERE dossier_id = ?",
                  {into.str(), from.str()});
        c.execute("UPDATE dossiers SET merged_into = ?, merged_at = ? WHERE id = ?",
                  {into.str(), at, from.str()});
        c.execute(
            "INSERT INTO change_log (dossier_id, section, version, written_at, merged_into) "
            "VALUES (?, 'identite', 0, ?, ?)",
            {from.str(), at, into.str()});
      }
      for (std::size_t i = 0; i < r.writes.size(); ++i) {
        const auto& [dossier, writes] = r.writes[i];
        requireLive(c, dossier);
        for (const auto& write : writes) writeVersion(c, ciphers[i], dossier, write, at, context);
      }
      if (r.notice)
        c.execute(
            "INSERT INTO change_log (dossier_id, section, version, written_at, addressed_to, "
            "notice) VALUES (?, 'identite', 0, ?, ?, ?)",
            {r.notice->dossier.str(), at, r.notice->to.str(), r.notice->body});
      c.execute(
          "UPDATE reconciliation_cases SET status = ?, resolved_at = ?, resolved_by = ?, "
          "resolution = ? WHERE id = ?",
          {r.status, at, context.author.str(), r.resolution, id});
    });
  }

 private:
  std::vector<ReconciliationCase> cases(const char* sql,
                                        const std::vector<SqlValue>& params) const {
    std::vector<ReconciliationCase> out;
    db_->read([&](SqlConnection& c) { out = collect<ReconciliationCase>(c, sql, params, caseOf); });
    return out;
  }

  std::vector<VersionInfo> insertDossier(
      SqlConnection& c, const crypto::Aead& cipher, const core::DossierId& id,
      const std::vector<std::pair<core::Section, std::string>>& sections,
      const std::vector<core::Identifier>& identifiers, const WriteContext& context) {
    noteChangedDossier(id);
    const auto at = nowUtc();
    c.execute("INSERT INTO dossiers (id, created_at, created_by) VALUES (?, ?, ?)",
              {id.str(), at, context.author.str()});
    std::vector<VersionInfo> written;
    for (const auto& [section, content] : sections)
      written.push_back(insertVersion(c, cipher, id, section, 1, content, at, context));
    insertIdentifiers(c, id, identifiers);
    return written;
  }

  // Unwrapped before the write, so that its transaction does not wait on the key store.
  crypto::Aead cipherOf(const core::DossierId& id) {
    auto cipher = sealed_->dossierCipher(id);
    if (!cipher) throw DomainError(ErrorKind::not_found, "no such dossier");
    return std::move(*cipher);
  }

  // Inside a write, first: the dossier may have been erased since its key was read; and what
  // the write reads next is not changed by another transaction before it commits.
  static void requireLive(SqlConnection& c, const core::DossierId& id) {
    c.serialise(dossierKey(id));
    if (!dossierLive(c, id)) throw DomainError(ErrorKind::not_found, "no such dossier");
  }

  // Inside a write. Writes nothing when the content equals the current version.
  PutResult writeVersion(SqlConnection& c, const crypto::Aead& cipher, const core::DossierId& id,
                         const SectionWrite& write, const std::string& at,
                         const WriteContext& context) {
    noteChangedDossier(id);
    const auto current = currentInfo(c, id, write.section);
    if (current && current->content_hash == sealed_->contentHash(write.content))
      return {*current, false};
    if (write.identifiers) {
      for (const auto& identifier : write.identifiers->values) checkNotTaken(c, identifier, id);
      for (auto kind : write.identifiers->kinds)
        c.execute("DELETE FROM identifier_index WHERE dossier_id = ? AND kind = ?",
                  {id.str(), std::string(core::toString(kind))});
      insertIdentifiers(c, id, write.identifiers->values);
    }
    const std::int64_t version = current ? current->version + 1 : 1;
    return {insertVersion(c, cipher, id, write.section, version, write.content, at, context), true};
  }

  // Inside a write.
  static std::optional<VersionInfo> currentInfo(SqlConnection& c, const core::DossierId& id,
                                                core::Section section) {
    auto rows = c.query(
        "SELECT version, author, source, written_at, content_hash FROM section_versions "
        "WHERE dossier_id = ? AND section = ? ORDER BY version DESC LIMIT 1",
        {id.str(), std::string(core::toString(section))});
    if (!rows->next()) return std::nullopt;
    return VersionInfo{section,       rows->integer(0), rows->text(1),
                       rows->text(2), rows->text(3),    rows->text(4)};
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

  // Inside a write. Two writers taking one identifier at once: the second's insert breaks the
  // index's unique constraint, a conflict too.
  void checkNotTaken(SqlConnection& c, const core::Identifier& identifier,
                     const core::DossierId& id) {
    if (core::isHouseholdIdentifier(identifier.kind)) return;  // shared by design
    auto owners =
        c.query("SELECT dossier_id FROM identifier_index WHERE kind = ? AND blind = ?",
                {std::string(core::toString(identifier.kind)), sealed_->blindIndex(identifier)});
    if (owners->next() && owners->text(0) != id.str())
      throw DomainError(ErrorKind::conflict, "the " + std::string(core::toString(identifier.kind)) +
                                                 " identifier already belongs to another dossier");
  }

  void insertIdentifiers(SqlConnection& c, const core::DossierId& id,
                         const std::vector<core::Identifier>& values) {
    for (const auto& identifier : values)
      c.execute(
          "INSERT INTO identifier_index (kind, blind, dossier_id) VALUES (?, ?, ?) "
          "ON CONFLICT (kind, blind, dossier_id) DO NOTHING",
          {std::string(core::toString(identifier.kind)), sealed_->blindIndex(identifier),
           id.str()});
  }

  VersionInfo insertVersion(SqlConnection& c, const crypto::Aead& cipher, const core::DossierId& id,
                            core::Section section, std::int64_t version, const std::string& content,
                            const std::string& at, const WriteContext& context) {
    VersionInfo info{section,        version, context.author.str(),
                     context.source, at,      sealed_->contentHash(content)};
    const std::string name(core::toString(section));
    c.execute(
        "INSERT INTO section_versions (dossier_id, section, version, author, source, "
        "written_at, content_hash, content, key_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        {id.str(), name, version, info.author, info.source, info.written_at, info.content_hash,
         sealed_->seal(cipher, id, section, version, content),
         std::int64_t{SealedContent::kKeyVersion}});
    c.execute(
        "INSERT INTO change_log (dossier_id, section, version, written_at) VALUES (?, ?, ?, ?)",
        {id.str(), name, version, info.written_at});
    return info;
  }

  SectionVersion decode(const crypto::Aead& cipher, const core::DossierId& id,
                        const VersionRow& row) const {
    SectionVersion v{row.info, {}};
    v.content =
        sealed_->open(cipher, id, row.info.section, row.info.version, row.key_version, row.content);
    return v;
  }

  std::shared_ptr<SqlDatabase> db_;
  std::shared_ptr<SealedContent> sealed_;
};

}  // namespace

void shredKeysOfErasedDossiers(SqlDatabase& db, SealedContent& sealed) {
  std::vector<core::DossierId> ids;
  db.read([&](SqlConnection& c) {
    auto rows = c.query("SELECT id FROM dossiers WHERE erased_at IS NOT NULL");
    while (rows->next())
      if (auto id = core::DossierId::parse(rows->text(0))) ids.push_back(*id);
  });
  try {
    sealed.shred(ids);
  } catch (const std::exception& e) {
    // A full disk must not keep the gateway from starting (and saying it is not ready).
    Poco::Logger::get("passerelle.store")
        .error("data keys of erased dossiers left to destroy: %s", std::string(e.what()));
  }
}

void resealLegacySections(SqlDatabase& db, SealedContent& sealed) {
  db.write([&](SqlConnection& c) {
    struct Legacy {
      core::DossierId id;
      std::string section;
      std::int64_t version;
      std::vector<unsigned char> content;
    };
    const auto rows = collect<Legacy>(
        c,
        "SELECT dossier_id, section, version, content FROM section_versions "
        "WHERE key_version = 0 ORDER BY dossier_id",
        {}, [](const SqlRows& r) {
          return Legacy{parseStoredId(r.text(0)), r.text(1), r.integer(2), r.blob(3)};
        });
    std::optional<core::DossierId> current;
    std::optional<crypto::Aead> cipher;
    for (const auto& r : rows) {
      if (current != r.id) {
        current = r.id;
        cipher = sealed.dossierCipher(r.id);
        if (!cipher) cipher.emplace(sealed.newDossierCipher(r.id));
      }
      const auto section = sectionFromColumn(r.section);
      const auto plain = sealed.openLegacy(r.id, section, r.version,
                                           crypto::Bytes(r.content.begin(), r.content.end()));
      c.execute(
          "UPDATE section_versions SET content = ?, key_version = ? "
          "WHERE dossier_id = ? AND section = ? AND version = ?",
          {sealed.seal(*cipher, r.id, section, r.version, plain),
           std::int64_t{SealedContent::kKeyVersion}, r.id.str(), r.section, r.version});
    }
  });
}

std::unique_ptr<DossierStore> makeDossierStore(std::shared_ptr<SqlDatabase> db,
                                               std::shared_ptr<SealedContent> sealed) {
  return std::make_unique<SqlDossierStore>(std::move(db), std::move(sealed));
}

}  // namespace passerelle::store
