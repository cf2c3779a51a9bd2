// The export file: one JSON object per line; a header, the checkpoints, then the entries.
#include <fstream>
#include <nlohmann/json.hpp>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/audit/log_verifier.hpp"
#include "passerelle/core/domain_error.hpp"

namespace passerelle::audit {

using nlohmann::json;

namespace {

constexpr const char* kFormat = "passerelle-audit-export/1";

class ExportFileSource final : public LogSource {
 public:
  explicit ExportFileSource(const std::filesystem::path& file) : in_(file) {
    if (!in_) throw AuditFormatError("cannot read " + file.string());
    const auto header = nextLine();
    if (!header || !header->is_object() || header->value("format", "") != kFormat)
      throw AuditFormatError("line 1: not a Passerelle audit export (" + std::string(kFormat) +
                             ")");
  }

  std::vector<Checkpoint> checkpoints() override {
    std::vector<Checkpoint> out;
    while ((pending_ = nextLine()) && pending_->contains("checkpoint")) {
      try {
        out.push_back(Checkpoint::fromJson(pending_->at("checkpoint")));
      } catch (const AuditFormatError& e) {
        fail(e.what());
      }
    }
    return out;
  }

  void forEachRow(const std::function<void(const store::AuditRow&)>& visit) override {
    for (; pending_; pending_ = nextLine()) {
      const auto& j = *pending_;
      if (!j.is_object() || !j.contains("index") || !j["index"].is_number_unsigned() ||
          !j.contains("leaf_hash") || !j["leaf_hash"].is_string() || !j.contains("entry") ||
          !(j["entry"].is_string() || j["entry"].is_null()))
        fail("an entry line needs index, leaf_hash and entry (a string, or null once pruned)");
      store::AuditRow row;
      row.index = j["index"].get<std::uint64_t>();
      row.leaf_hash = j["leaf_hash"].get<std::string>();
      row.time = j.value("time", "");
      if (j["entry"].is_string()) row.entry = j["entry"].get<std::string>();
      if (j.contains("sensitive") && j["sensitive"].is_string())
        row.sensitive = j["sensitive"].get<std::string>();
      visit(row);
    }
  }

  bool hasSearchColumns() const override { return false; }
  std::optional<std::vector<crypto::Hash>> tile(crypto::TileId) const override {
    return std::nullopt;  // an export holds the entries and their leaf hashes, not the tiles
  }

 private:
  std::optional<json> nextLine() {
    std::string line;
    if (!std::getline(in_, line)) return std::nullopt;
    ++line_;
    try {
      return json::parse(line);
    } catch (const json::parse_error& e) {
      fail("not JSON (byte " + std::to_string(e.byte) + ")");
    } catch (const json::out_of_range&) {
      fail("not JSON (a number out of range)");
    }
  }

  [[noreturn]] void fail(const std::string& what) const {
    throw AuditFormatError("line " + std::to_string(line_) + ": " + what);
  }

  std::ifstream in_;
  std::uint64_t line_ = 0;
  std::optional<json> pending_;
};

}  // namespace

std::unique_ptr<LogSource> exportFileSource(const std::filesystem::path& file) {
  return std::make_unique<ExportFileSource>(file);
}

std::uint64_t exportLog(const store::AuditStore& store, std::ostream& out) {
  // Checkpoints first: entries read afterwards cover at least what they sign.
  const auto checkpoints = store.checkpoints();
  out << json{{"format", kFormat},
              {"log_id", checkpoints.empty() ? std::string() : checkpoints.back().log_id}}
             .dump()
      << '\n';
  for (const auto& row : checkpoints)
    out << json{{"checkpoint", Checkpoint::fromRow(row).toJson()}}.dump() << '\n';
  std::uint64_t count = 0;
  store.forEachRow(0, [&](const store::AuditRow& row) {
    out << json{{"index", row.index},
                {"time", row.time},
                {"leaf_hash", row.leaf_hash},
                {"entry", row.entry ? json(*row.entry) : json(nullptr)},
                {"sensitive", row.sensitive ? json(*row.sensitive) : json(nullptr)}}
               .dump(-1, ' ', false, json::error_handler_t::strict)
        << '\n';
    ++count;
  });
  out.flush();
  if (!out)
    throw core::DomainError(core::ErrorKind::unavailable, "the export could not be written");
  return count;
}

}  // namespace passerelle::audit
