#include "passerelle/audit/checkpoint.hpp"

#include <algorithm>

#include "passerelle/audit/audit_entry.hpp"
#include "passerelle/crypto/bytes.hpp"

namespace passerelle::audit {

using nlohmann::json;

std::string hashHex(const crypto::Hash& hash) {
  return crypto::toHex(std::string_view(reinterpret_cast<const char*>(hash.data()), hash.size()));
}

crypto::Hash hashFromHex(std::string_view hex) {
  const auto bytes = crypto::fromHex(hex);
  if (!bytes || bytes->size() != crypto::Hash().size())
    throw AuditFormatError("a hash must be 64 hex digits");
  crypto::Hash out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

std::string Checkpoint::signedText() const {
  return "passerelle-audit-checkpoint/v1\n" + log_id + "\n" + std::to_string(tree_size) + "\n" +
         hashHex(root_hash) + "\n" + time + "\n";
}

Checkpoint Checkpoint::sign(const crypto::Signer& signer, std::string log_id, std::uint64_t size,
                            const crypto::Hash& root, core::UtcTime time) {
  Checkpoint c{std::move(log_id), size, root, std::move(time), signer.publicKeyHex(), {}};
  c.signature = signer.signHex(c.signedText());
  return c;
}

bool Checkpoint::signatureValid() const {
  return crypto::verifySignature(signedText(), signature, public_key);
}

json Checkpoint::toJson() const {
  return {
      {"log_id", log_id},           {"tree_size", tree_size},   {"root_hash", hashHex(root_hash)},
      {"timestamp", time},          {"public_key", public_key}, {"signature", signature},
      {"signed_text", signedText()}};
}

Checkpoint Checkpoint::fromJson(const json& j) {
  auto field = [&](const char* key) -> const json& {
    if (!j.is_object() || !j.contains(key))
      throw AuditFormatError(std::string("checkpoint: missing ") + key);
    return j.at(key);
  };
  auto text = [&](const char* key) {
    const auto& v = field(key);
    if (!v.is_string()) throw AuditFormatError(std::string("checkpoint: ") + key + " not a string");
    return v.get<std::string>();
  };
  if (!field("tree_size").is_number_unsigned())
    throw AuditFormatError("checkpoint: tree_size must be a non-negative integer");
  return {text("log_id"),
          field("tree_size").get<std::uint64_t>(),
          hashFromHex(text("root_hash")),
          text("timestamp"),
          text("public_key"),
          text("signature")};
}

store::AuditCheckpointRow Checkpoint::toRow() const {
  return {tree_size, log_id, hashHex(root_hash), time, public_key, signature};
}

Checkpoint Checkpoint::fromRow(const store::AuditCheckpointRow& row) {
  return {row.log_id, row.tree_size,  hashFromHex(row.root_hash),
          row.time,   row.public_key, row.signature};
}

}  // namespace passerelle::audit
