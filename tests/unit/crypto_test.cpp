#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "passerelle/core/domain_error.hpp"
#include "passerelle/crypto/aead.hpp"
#include "passerelle/crypto/bytes.hpp"
#include "passerelle/crypto/digest.hpp"
#include "passerelle/crypto/keyed_hash.hpp"
#include "passerelle/crypto/master_keys.hpp"
#include "passerelle/crypto/root_key.hpp"
#include "temp_dir.hpp"

namespace passerelle::crypto {
namespace {

const std::string kZeroKeyHex(64, '0');

TEST(HexTest, RoundTripsAndRefusesMalformedInput) {
  EXPECT_EQ(toHex(std::string_view("\x00\xff\x10", 3)), "00ff10");
  EXPECT_EQ(*fromHex("00FF10"), (Bytes{0x00, 0xff, 0x10}));
  EXPECT_FALSE(fromHex("abc"));
  EXPECT_FALSE(fromHex("zz"));
}

TEST(DigestTest, Sha256MatchesTheStandardTestVector) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(KeyedHashTest, HmacSha256MatchesRfc4231TestCase2) {
  // RFC 4231 case 2 uses a 4-byte key; libsodium's HMAC takes 32 bytes, so the RFC key is
  // zero-padded, which HMAC does itself for short keys: the result is the RFC's.
  std::uint8_t key[32] = {'J', 'e', 'f', 'e'};
  KeyedHash hash(SecretKey::fromBytes(key));
  EXPECT_EQ(hash.hex("what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(DigestTest, HmacSha256OfAnyKeyMatchesRfc4231) {
  EXPECT_EQ(hmacSha256Hex("Jefe", "what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  // Case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(hmacSha256Hex(std::string(131, '\xaa'),
                          "Test Using Larger Than Block-Size Key - Hash Key First"),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(RootKeyTest, SubkeysDifferPerUseAndVersionAndAreStable) {
  const auto zero = fromHex(kZeroKeyHex);
  RootKey root(SecretKey::fromBytes(zero->data()));
  KeyedHash a(root.derive(KeyUse::blind_index));
  KeyedHash b(root.derive(KeyUse::blind_index));
  KeyedHash c(root.derive(KeyUse::content_hash));
  KeyedHash d(root.derive(KeyUse::blind_index, 2));
  EXPECT_EQ(a.hex("x"), b.hex("x"));
  EXPECT_NE(a.hex("x"), c.hex("x"));
  EXPECT_NE(a.hex("x"), d.hex("x"));
  KeyedHash other(RootKey::generate().derive(KeyUse::blind_index));
  EXPECT_NE(a.hex("x"), other.hex("x"));
}

// The wrapping key of one version, as a fingerprint that can be compared.
std::string wrapFingerprint(const MasterKeys& keys, MasterKeys::Version version) {
  return KeyedHash(keys.wrapKey(version)).hex("fingerprint");
}

TEST(MasterKeysTest, ALoneKeyIsVersionOneAndVersionsParse) {
  const auto lone = MasterKeys::parse(kZeroKeyHex + "\n", "test");
  EXPECT_EQ(lone.versions(), (std::vector<MasterKeys::Version>{1}));
  const auto two = MasterKeys::parse(
      "# comment\n2:" + std::string(64, '1') + "\n1:" + kZeroKeyHex + "\n", "test");
  EXPECT_EQ(two.versions(), (std::vector<MasterKeys::Version>{1, 2}));
  EXPECT_EQ(two.current(), 2u);
  EXPECT_EQ(wrapFingerprint(two, 1), wrapFingerprint(lone, 1));
  EXPECT_NE(wrapFingerprint(two, 2), wrapFingerprint(two, 1));
  // The environment variable's form: separated by commas or spaces.
  EXPECT_EQ(MasterKeys::parse("1:" + kZeroKeyHex + ",3:" + std::string(64, 'a'), "env").current(),
            3u);
}

TEST(MasterKeysTest, MalformedTextIsRefusedWithoutEchoingAKey) {
  const std::string secretish = std::string(62, 'b');
  for (const std::string& text :
       {std::string("abcdef"), "1:" + secretish, "0:" + kZeroKeyHex,
        "1:" + kZeroKeyHex + " 1:" + std::string(64, 'c'), kZeroKeyHex + " " + kZeroKeyHex,
        std::string("# only a comment\n"), "x:" + kZeroKeyHex}) {
    try {
      MasterKeys::parse(text, "test origin");
      ADD_FAILURE() << "accepted " << text.size() << " characters of malformed key text";
    } catch (const std::runtime_error& e) {
      const std::string message = e.what();
      EXPECT_NE(message.find("test origin"), std::string::npos) << message;
      EXPECT_EQ(message.find(secretish), std::string::npos) << message;
      EXPECT_EQ(message.find(kZeroKeyHex), std::string::npos) << message;
    }
  }
}

TEST(MasterKeysTest, SavedFileIsOwnerOnlyAndLoadsBack) {
  testing::TempDir dir;
  const auto keys = MasterKeys::generate();
  keys.saveNewFile(dir / "master.key");
  struct stat st {};
  ASSERT_EQ(::stat((dir / "master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  const auto loaded = MasterKeys::loadFile(dir / "master.key");
  EXPECT_EQ(wrapFingerprint(loaded, 1), wrapFingerprint(keys, 1));
  EXPECT_THROW(keys.saveNewFile(dir / "master.key"), std::runtime_error);  // never overwrites
}

TEST(MasterKeysTest, ReplacingTheFileKeepsItOwnerOnlyAndLeavesNoTemporary) {
  testing::TempDir dir;
  const auto keys = MasterKeys::generate();
  keys.saveNewFile(dir / "master.key");
  const auto rotated = keys.withNewVersion();
  rotated.replaceFile(dir / "master.key");
  auto loaded = MasterKeys::loadFile(dir / "master.key");
  EXPECT_EQ(loaded.versions(), (std::vector<MasterKeys::Version>{1, 2}));
  EXPECT_EQ(wrapFingerprint(loaded, 1), wrapFingerprint(keys, 1));
  EXPECT_EQ(wrapFingerprint(loaded, 2), wrapFingerprint(rotated, 2));
  rotated.only(2).replaceFile(dir / "master.key");
  loaded = MasterKeys::loadFile(dir / "master.key");
  EXPECT_EQ(loaded.versions(), (std::vector<MasterKeys::Version>{2}));
  struct stat st {};
  ASSERT_EQ(::stat((dir / "master.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(std::filesystem::exists(dir / "master.key.new"));
}

TEST(MasterKeysTest, GroupReadableKeyFileIsRefused) {
  testing::TempDir dir;
  MasterKeys::generate().saveNewFile(dir / "master.key");
  ::chmod((dir / "master.key").c_str(), 0640);
  try {
    MasterKeys::loadFile(dir / "master.key");
    FAIL() << "accepted a group-readable key file";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos);
  }
}

TEST(MasterKeysTest, MalformedOrMissingKeyFileIsRefused) {
  testing::TempDir dir;
  { std::ofstream(dir / "master.key") << "not a key\n"; }
  ::chmod((dir / "master.key").c_str(), 0600);
  EXPECT_THROW(MasterKeys::loadFile(dir / "master.key"), std::runtime_error);
  EXPECT_THROW(MasterKeys::loadFile(dir / "missing.key"), std::runtime_error);
}

TEST(AeadTest, SealedTextOpensOnlyWithTheSameAssociatedData) {
  Aead aead(SecretKey::random());
  const auto sealed = aead.seal("{\"nom\":\"Pissenlit\"}", "dossier-1|identite|1");
  EXPECT_EQ(aead.open(sealed, "dossier-1|identite|1"), "{\"nom\":\"Pissenlit\"}");
  EXPECT_THROW(aead.open(sealed, "dossier-2|identite|1"), core::DomainError);
  EXPECT_THROW(aead.open(sealed, "dossier-1|contact|1"), core::DomainError);
  EXPECT_THROW(aead.open(sealed, "dossier-1|identite|2"), core::DomainError);
}

TEST(AeadTest, AnyFlippedOrMissingByteIsAnIntegrityError) {
  Aead aead(SecretKey::random());
  const auto sealed = aead.seal("payload", "ad");
  for (std::size_t i = 0; i < sealed.size(); ++i) {
    auto tampered = sealed;
    tampered[i] ^= 0x01;
    try {
      aead.open(tampered, "ad");
      FAIL() << "byte " << i << " flipped went unnoticed";
    } catch (const core::DomainError& e) {
      EXPECT_EQ(e.kind(), core::ErrorKind::integrity);
    }
  }
  auto truncated = sealed;
  truncated.pop_back();
  EXPECT_THROW(aead.open(truncated, "ad"), core::DomainError);
  EXPECT_THROW(aead.open(Bytes(5, 0), "ad"), core::DomainError);
}

TEST(AeadTest, SameTextSealsDifferentlyEachTime) {
  Aead aead(SecretKey::random());
  EXPECT_NE(aead.seal("same", "ad"), aead.seal("same", "ad"));
}

TEST(AeadTest, AnotherKeyCannotOpen) {
  Aead a(SecretKey::random()), b(SecretKey::random());
  EXPECT_THROW(b.open(a.seal("x", "ad"), "ad"), core::DomainError);
}

}  // namespace
}  // namespace passerelle::crypto
