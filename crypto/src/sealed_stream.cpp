#include "passerelle/crypto/sealed_stream.hpp"

#include <sodium.h>

#include <fstream>
#include <stdexcept>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "secret_file.hpp"
#include "sodium.hpp"

namespace passerelle::crypto {

namespace {

// What a sealed file starts with; it is also the associated data of every chunk.
constexpr std::string_view kMagic = "PDSEAL01";
constexpr std::size_t kSealedKeySize = SecretKey::kSize + crypto_box_SEALBYTES;

static_assert(crypto_box_PUBLICKEYBYTES == 32 && crypto_box_SECRETKEYBYTES == SecretKey::kSize);
static_assert(crypto_secretstream_xchacha20poly1305_KEYBYTES == SecretKey::kSize);

const unsigned char* magicBytes() {
  return reinterpret_cast<const unsigned char*>(kMagic.data());
}

core::DomainError damaged(const std::string& what) {
  return core::DomainError(core::ErrorKind::integrity, "sealed file refused: " + what);
}

// Reads exactly `size` bytes; false at a clean end of file before the first byte.
bool readExactly(std::istream& in, std::uint8_t* out, std::size_t size, const char* what) {
  in.read(reinterpret_cast<char*>(out), static_cast<std::streamsize>(size));
  const auto got = static_cast<std::size_t>(in.gcount());
  if (got == size) return true;
  if (got == 0) return false;
  throw damaged(std::string("truncated in the middle of ") + what);
}

}  // namespace

RecipientKeys RecipientKeys::generate() {
  detail::ensureSodium();
  RecipientKeys keys{{}, SecretKey::random()};
  crypto_scalarmult_base(keys.public_key.data(), keys.secret.data());
  return keys;
}

RecipientKeys RecipientKeys::loadSecretFile(const std::filesystem::path& path) {
  std::string text = detail::readOwnerOnlyFile(path, "secret key file");
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
    text.pop_back();
  auto bytes = fromHex(text);
  sodium_memzero(text.data(), text.size());
  if (!bytes || bytes->size() != SecretKey::kSize) {
    if (bytes) sodium_memzero(bytes->data(), bytes->size());
    throw core::DomainError(
        core::ErrorKind::configuration,
        "secret key file " + path.string() + " does not hold 64 hexadecimal digits");
  }
  detail::ensureSodium();
  RecipientKeys keys{{}, SecretKey::fromBytes(bytes->data())};
  sodium_memzero(bytes->data(), bytes->size());
  crypto_scalarmult_base(keys.public_key.data(), keys.secret.data());
  return keys;
}

void RecipientKeys::saveSecretFile(const std::filesystem::path& path) const {
  struct Wiped {
    std::string text;
    ~Wiped() { sodium_memzero(text.data(), text.size()); }
  } hex{toHex(std::string_view(reinterpret_cast<const char*>(secret.data()), SecretKey::kSize)) +
        "\n"};
  detail::writeNewOwnerOnlyFile(path, hex.text, "secret key file");
}

std::string RecipientKeys::publicKeyHex() const {
  return toHex(std::string_view(reinterpret_cast<const char*>(public_key.data()), 32));
}

std::optional<std::array<std::uint8_t, 32>> recipientPublicKey(std::string_view hex) {
  const auto bytes = fromHex(hex);
  if (!bytes || bytes->size() != 32) return std::nullopt;
  std::array<std::uint8_t, 32> key{};
  std::copy(bytes->begin(), bytes->end(), key.begin());
  return key;
}

struct SealedStreamWriter::State {
  crypto_secretstream_xchacha20poly1305_state state;
};

SealedStreamWriter::SealedStreamWriter(std::ostream& out,
                                       const std::array<std::uint8_t, 32>& recipient)
    : out_(out), state_(std::make_unique<State>()) {
  detail::ensureSodium();
  const auto key = SecretKey::random();
  std::array<std::uint8_t, kSealedKeySize> sealed_key{};
  crypto_box_seal(sealed_key.data(), key.data(), SecretKey::kSize, recipient.data());
  std::array<std::uint8_t, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
  crypto_secretstream_xchacha20poly1305_init_push(&state_->state, header.data(), key.data());
  put(magicBytes(), kMagic.size());
  put(sealed_key.data(), sealed_key.size());
  put(header.data(), header.size());
  buffer_.reserve(kChunk);
}

SealedStreamWriter::~SealedStreamWriter() {
  sodium_memzero(&state_->state, sizeof state_->state);
}

void SealedStreamWriter::put(const std::uint8_t* data, std::size_t size) {
  out_.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  hash_.update(std::string_view(reinterpret_cast<const char*>(data), size));
}

void SealedStreamWriter::write(std::string_view data) {
  if (finished_) throw std::logic_error("write after finish");
  while (!data.empty()) {
    const auto take = std::min(data.size(), kChunk - buffer_.size());
    buffer_.append(data.substr(0, take));
    data.remove_prefix(take);
    if (buffer_.size() == kChunk) emit(0);
  }
}

void SealedStreamWriter::emit(std::uint8_t tag) {
  std::vector<std::uint8_t> chunk(buffer_.size() + crypto_secretstream_xchacha20poly1305_ABYTES);
  unsigned long long length = 0;
  crypto_secretstream_xchacha20poly1305_push(&state_->state, chunk.data(), &length,
                                             reinterpret_cast<const unsigned char*>(buffer_.data()),
                                             buffer_.size(), magicBytes(), kMagic.size(), tag);
  const std::array<std::uint8_t, 4> size = {
      static_cast<std::uint8_t>(length >> 24), static_cast<std::uint8_t>(length >> 16),
      static_cast<std::uint8_t>(length >> 8), static_cast<std::uint8_t>(length)};
  put(size.data(), size.size());
  put(chunk.data(), static_cast<std::size_t>(length));
  sodium_memzero(buffer_.data(), buffer_.size());
  buffer_.clear();
}

std::string SealedStreamWriter::finish() {
  if (finished_) throw std::logic_error("finish twice");
  emit(crypto_secretstream_xchacha20poly1305_TAG_FINAL);
  finished_ = true;
  out_.flush();
  if (!out_) throw core::DomainError(core::ErrorKind::unavailable, "cannot write the sealed file");
  return hash_.finishHex();
}

void openSealedStream(std::istream& in, const RecipientKeys& keys,
                      const std::function<void(std::string_view)>& sink) {
  detail::ensureSodium();
  std::array<std::uint8_t, 8> magic{};
  if (!readExactly(in, magic.data(), magic.size(), "the header") ||
      std::string_view(reinterpret_cast<const char*>(magic.data()), magic.size()) != kMagic)
    throw damaged("not a Passerelle sealed file");
  std::array<std::uint8_t, kSealedKeySize> sealed_key{};
  std::array<std::uint8_t, crypto_secretstream_xchacha20poly1305_HEADERBYTES> header{};
  if (!readExactly(in, sealed_key.data(), sealed_key.size(), "the header") ||
      !readExactly(in, header.data(), header.size(), "the header"))
    throw damaged("truncated in the header");
  std::array<std::uint8_t, SecretKey::kSize> raw_key{};
  if (crypto_box_seal_open(raw_key.data(), sealed_key.data(), sealed_key.size(),
                           keys.public_key.data(), keys.secret.data()) != 0)
    throw damaged("it was not sealed to this key, or its header was modified");
  const auto key = SecretKey::fromBytes(raw_key.data());
  sodium_memzero(raw_key.data(), raw_key.size());
  crypto_secretstream_xchacha20poly1305_state state;
  if (crypto_secretstream_xchacha20poly1305_init_pull(&state, header.data(), key.data()) != 0)
    throw damaged("its stream header is invalid");
  std::vector<std::uint8_t> chunk, plain;
  for (std::size_t index = 0;; ++index) {
    std::array<std::uint8_t, 4> size{};
    if (!readExactly(in, size.data(), size.size(), "a chunk length"))
      throw damaged("truncated: the final chunk is missing");
    const std::size_t length = (std::size_t{size[0]} << 24) | (std::size_t{size[1]} << 16) |
                               (std::size_t{size[2]} << 8) | std::size_t{size[3]};
    if (length < crypto_secretstream_xchacha20poly1305_ABYTES ||
        length > SealedStreamWriter::kChunk + crypto_secretstream_xchacha20poly1305_ABYTES)
      throw damaged("chunk " + std::to_string(index) + " has an impossible length");
    chunk.resize(length);
    if (!readExactly(in, chunk.data(), length, "a chunk"))
      throw damaged("truncated: the final chunk is missing");
    plain.resize(length - crypto_secretstream_xchacha20poly1305_ABYTES);
    unsigned long long plain_length = 0;
    unsigned char tag = 0;
    if (crypto_secretstream_xchacha20poly1305_pull(&state, plain.data(), &plain_length, &tag,
                                                   chunk.data(), length, magicBytes(),
                                                   kMagic.size()) != 0)
      throw damaged("chunk " + std::to_string(index) + " was modified or reordered");
    sink(std::string_view(reinterpret_cast<const char*>(plain.data()),
                          static_cast<std::size_t>(plain_length)));
    sodium_memzero(plain.data(), plain.size());
    if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
      sodium_memzero(&state, sizeof state);
      if (in.peek() != std::char_traits<char>::eof()) throw damaged("bytes follow the final chunk");
      return;
    }
  }
}

}  // namespace passerelle::crypto
