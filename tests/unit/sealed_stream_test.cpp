#include "passerelle/crypto/sealed_stream.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <sstream>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/study_pseudonyms.hpp"
#include "temp_dir.hpp"

namespace passerelle::crypto {
namespace {

std::string patterned(std::size_t size) {
  std::string text(size, '\0');
  for (std::size_t i = 0; i < size; ++i) text[i] = static_cast<char>('a' + (i * 7) % 26);
  return text;
}

std::string sealTo(const RecipientKeys& keys, const std::string& plain,
                   std::string* hash = nullptr) {
  std::ostringstream out;
  SealedStreamWriter writer(out, keys.public_key);
  // In uneven pieces, as an export writes rows.
  for (std::size_t at = 0; at < plain.size(); at += 1000)
    writer.write(std::string_view(plain).substr(at, 1000));
  const auto digest = writer.finish();
  if (hash != nullptr) *hash = digest;
  return out.str();
}

std::string openWith(const RecipientKeys& keys, const std::string& sealed) {
  std::istringstream in(sealed);
  std::string plain;
  openSealedStream(in, keys, [&](std::string_view chunk) { plain.append(chunk); });
  return plain;
}

// The message of the integrity error opening `sealed` raises, or "" if it opens.
std::string refusal(const RecipientKeys& keys, const std::string& sealed) {
  try {
    openWith(keys, sealed);
    return "";
  } catch (const core::DomainError& e) {
    EXPECT_EQ(e.kind(), core::ErrorKind::integrity);
    return e.what();
  }
}

constexpr std::size_t kHeader = 8 + 80 + 24;

TEST(SealedStreamTest, RoundTripsManyChunksAndNothingAndHashesWhatItWrote) {
  const auto keys = RecipientKeys::generate();
  const auto plain = patterned(3 * SealedStreamWriter::kChunk + 123);
  std::string hash;
  const auto sealed = sealTo(keys, plain, &hash);
  EXPECT_EQ(sealed.find("abcdefg"), std::string::npos);
  EXPECT_EQ(hash, sha256Hex(sealed));
  EXPECT_EQ(openWith(keys, sealed), plain);
  EXPECT_EQ(openWith(keys, sealTo(keys, "")), "");
  EXPECT_NE(sealTo(keys, plain), sealed) << "a fresh key and nonce each time";
}

TEST(SealedStreamTest, AnyDamageIsRefusedWithItsReason) {
  const auto keys = RecipientKeys::generate();
  const auto plain = patterned(2 * SealedStreamWriter::kChunk + 10);
  const auto sealed = sealTo(keys, plain);
  const std::size_t chunk = 4 + SealedStreamWriter::kChunk + 17;

  EXPECT_NE(refusal(RecipientKeys::generate(), sealed).find("not sealed to this key"),
            std::string::npos);
  auto flipped = sealed;
  flipped[kHeader + chunk + 100] ^= 1;
  EXPECT_NE(refusal(keys, flipped).find("chunk 1 was modified"), std::string::npos);
  // The last chunk dropped: every remaining chunk verifies, but the final tag is missing.
  EXPECT_NE(refusal(keys, sealed.substr(0, kHeader + 2 * chunk)).find("final chunk is missing"),
            std::string::npos);
  EXPECT_NE(refusal(keys, sealed.substr(0, sealed.size() - 5)).find("truncated"),
            std::string::npos);
  auto swapped = sealed.substr(0, kHeader) + sealed.substr(kHeader + chunk, chunk) +
                 sealed.substr(kHeader, chunk) + sealed.substr(kHeader + 2 * chunk);
  EXPECT_NE(refusal(keys, swapped).find("chunk 0 was modified or reordered"), std::string::npos);
  EXPECT_NE(refusal(keys, sealed + "x").find("bytes follow the final chunk"), std::string::npos);
  EXPECT_NE(refusal(keys, "PK\x03\x04 not ours").find("not a Passerelle sealed file"),
            std::string::npos);
  auto bad_length = sealed;
  bad_length[kHeader] = '\x7f';
  EXPECT_NE(refusal(keys, bad_length).find("impossible length"), std::string::npos);
}

TEST(SealedStreamTest, SecretKeyFileIsOwnerOnlyAndGivesBackThePublicKey) {
  testing::TempDir dir;
  const auto keys = RecipientKeys::generate();
  keys.saveSecretFile(dir / "evaluateur.key");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "evaluateur.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto loaded = RecipientKeys::loadSecretFile(dir / "evaluateur.key");
  EXPECT_EQ(loaded.publicKeyHex(), keys.publicKeyHex());
  EXPECT_EQ(openWith(loaded, sealTo(keys, "bonjour")), "bonjour");
  EXPECT_THROW(keys.saveSecretFile(dir / "evaluateur.key"), std::runtime_error);
  EXPECT_TRUE(recipientPublicKey(keys.publicKeyHex()));
  EXPECT_FALSE(recipientPublicKey("abcd"));
}

TEST(StudyPseudonymsTest, StableWithinAStudyUnlinkableAcrossStudies) {
  const auto root = RootKey::generate();
  const StudyPseudonyms a(root, "etude-2026-01"), a_again(root, "etude-2026-01"),
      b(root, "etude-2026-02");
  const std::string id = "0123456789abcdef0123456789abcdef";
  EXPECT_EQ(a.of(id), a_again.of(id));
  EXPECT_NE(a.of(id), b.of(id));
  EXPECT_NE(a.of(id), a.of("0123456789abcdef0123456789abcdee"));
  EXPECT_EQ(a.of(id).size(), 52u);  // 256 bits in base32
  EXPECT_NE(StudyPseudonyms(RootKey::generate(), "etude-2026-01").of(id), a.of(id));
}

TEST(StudyPseudonymsTest, Base32MatchesRfc4648) {
  const auto encode = [](std::string_view text) {
    return base32(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  };
  EXPECT_EQ(encode(""), "");
  EXPECT_EQ(encode("f"), "MY");
  EXPECT_EQ(encode("fo"), "MZXQ");
  EXPECT_EQ(encode("foo"), "MZXW6");
  EXPECT_EQ(encode("foob"), "MZXW6YQ");
  EXPECT_EQ(encode("fooba"), "MZXW6YTB");
  EXPECT_EQ(encode("foobar"), "MZXW6YTBOI");
}

}  // namespace
}  // namespace passerelle::crypto
