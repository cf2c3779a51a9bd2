#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "passerelle/core/utc_time.hpp"
#include "passerelle/crypto/merkle.hpp"
#include "passerelle/crypto/signer.hpp"
#include "passerelle/store/audit_store.hpp"

namespace passerelle::audit {

// A signed tree head: the log `log_id` held `tree_size` entries whose Merkle root was
// `root_hash` at `time`. Whoever keeps one can later check that the log only grew. Value type.
struct Checkpoint {
  std::string log_id;
  std::uint64_t tree_size = 0;
  crypto::Hash root_hash{};
  core::UtcTime time;
  std::string public_key;  // hex of the Ed25519 key that signed
  std::string signature;   // hex of the signature of signedText()

  // The bytes signed (docs/audit.md):
  // "passerelle-audit-checkpoint/v1\n<log_id>\n<tree_size>\n<root hex>\n<time>\n".
  std::string signedText() const;

  static Checkpoint sign(const crypto::Signer& signer, std::string log_id, std::uint64_t size,
                         const crypto::Hash& root, core::UtcTime time);

  // Whether the signature is valid for the key the checkpoint names.
  bool signatureValid() const;

  nlohmann::json toJson() const;
  // Throws AuditFormatError naming the member at fault.
  static Checkpoint fromJson(const nlohmann::json& j);

  store::AuditCheckpointRow toRow() const;
  // Throws AuditFormatError if a stored hash is not 64 hex digits.
  static Checkpoint fromRow(const store::AuditCheckpointRow& row);
};

// Hex of a Merkle hash, and back (AuditFormatError if not 64 hex digits).
std::string hashHex(const crypto::Hash& hash);
crypto::Hash hashFromHex(std::string_view hex);

}  // namespace passerelle::audit
