#pragma once

#include <memory>
#include <string>
#include <string_view>

namespace passerelle::crypto {

// Lowercase hex of SHA-256(data): for values that are already high-entropy (bearer tokens),
// never for personal data, which needs a KeyedHash.
std::string sha256Hex(std::string_view data);

// Lowercase hex of HMAC-SHA256(key, data) under a key of any length (a webhook's shared secret,
// which the partner verifies with its own HMAC library).
std::string hmacSha256Hex(std::string_view key, std::string_view data);

// SHA-256 of data given in pieces (a file written or read in chunks).
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  // Lowercase hex of the digest; the object is spent afterwards.
  std::string finishHex();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Lowercase hex SHA-256 of a file's bytes, read in chunks. Throws core::DomainError
// (unusable_file) if it cannot be read.
std::string sha256HexOfFile(const std::string& path);

}  // namespace passerelle::crypto
