#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "passerelle/crypto/digest.hpp"
#include "passerelle/crypto/secret_key.hpp"

namespace passerelle::crypto {

// An X25519 key pair of a recipient of sealed files (an évaluateur). The public half goes to the
// gateway (partner registry); the secret half never leaves the recipient's machine.
struct RecipientKeys {
  static RecipientKeys generate();
  // Reads a secret key file (64 hex digits, owner-only like the master key); the public key is
  // recomputed from it. Throws DomainError(configuration) naming the file, never the key.
  static RecipientKeys loadSecretFile(const std::filesystem::path& path);
  // Writes the secret key to a new owner-only file; refuses to overwrite.
  void saveSecretFile(const std::filesystem::path& path) const;

  std::array<std::uint8_t, 32> public_key{};
  SecretKey secret;
  std::string publicKeyHex() const;
};

// Parses a recipient public key (64 hex digits); nothing if malformed.
std::optional<std::array<std::uint8_t, 32>> recipientPublicKey(std::string_view hex);

// Encrypts a stream for one recipient, in constant memory: a random file key sealed to the
// recipient's public key (libsodium sealed box), then the data in 64 KiB chunks with libsodium's
// secretstream (XChaCha20-Poly1305), the last chunk tagged final so that truncation is detected.
// Computes the SHA-256 of what it writes, for the manifest.
class SealedStreamWriter {
 public:
  SealedStreamWriter(std::ostream& out, const std::array<std::uint8_t, 32>& recipient);
  ~SealedStreamWriter();
  SealedStreamWriter(const SealedStreamWriter&) = delete;
  SealedStreamWriter& operator=(const SealedStreamWriter&) = delete;

  void write(std::string_view data);
  // Seals the last chunk; returns the hex SHA-256 of the whole sealed file. Throws
  // DomainError(unavailable) if the output failed.
  std::string finish();

  static constexpr std::size_t kChunk = 64 * 1024;

 private:
  void emit(std::uint8_t tag);
  void put(const std::uint8_t* data, std::size_t size);

  struct State;  // libsodium's secretstream state
  std::ostream& out_;
  Sha256 hash_;
  std::string buffer_;
  std::unique_ptr<State> state_;
  bool finished_ = false;
};

// Decrypts what SealedStreamWriter wrote, passing the plaintext to `sink` chunk by chunk.
// Throws core::DomainError(integrity) naming the problem if the file is not one, was sealed to
// another key, was modified, or is truncated; nothing of a chunk that does not verify reaches
// `sink`, but earlier chunks may have (callers write to a temporary and discard it on error).
void openSealedStream(std::istream& in, const RecipientKeys& keys,
                      const std::function<void(std::string_view)>& sink);

}  // namespace passerelle::crypto
