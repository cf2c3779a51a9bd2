#include "data_key_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

namespace passerelle::store {
namespace {

bool sameKey(const crypto::SecretKey& a, const crypto::SecretKey& b) {
  return std::equal(a.data(), a.data() + crypto::SecretKey::kSize, b.data());
}

TEST(DataKeyCache, FindsWhatItRememberedAsACopy) {
  DataKeyCache cache(8);
  const auto key = crypto::SecretKey::random();
  EXPECT_FALSE(cache.find("d1"));
  cache.remember("d1", key, cache.ticket());
  auto found = cache.find("d1");
  ASSERT_TRUE(found);
  EXPECT_TRUE(sameKey(*found, key));
  EXPECT_NE(found->data(), key.data());
  EXPECT_FALSE(cache.find("d2"));
}

TEST(DataKeyCache, AForgottenKeyIsGone) {
  DataKeyCache cache(8);
  cache.remember("d1", crypto::SecretKey::random(), cache.ticket());
  cache.remember("d2", crypto::SecretKey::random(), cache.ticket());
  cache.forget("d1");
  EXPECT_FALSE(cache.find("d1"));
  EXPECT_TRUE(cache.find("d2"));
}

TEST(DataKeyCache, AKeyReadBeforeAForgetStaysOut) {
  DataKeyCache cache(8);
  const auto ticket = cache.ticket();  // a lookup starts reading the key file...
  cache.forget("d1");                  // ...while the dossier is erased
  cache.remember("d1", crypto::SecretKey::random(), ticket);
  EXPECT_FALSE(cache.find("d1"));
  cache.remember("d1", crypto::SecretKey::random(), cache.ticket());
  EXPECT_TRUE(cache.find("d1"));
}

TEST(DataKeyCache, HoldsAtMostItsCapacity) {
  DataKeyCache cache(16);
  for (int i = 0; i < 100; ++i)
    cache.remember("d" + std::to_string(i), crypto::SecretKey::random(), cache.ticket());
  int held = 0;
  for (int i = 0; i < 100; ++i) held += cache.find("d" + std::to_string(i)) ? 1 : 0;
  EXPECT_EQ(held, 16);
  EXPECT_TRUE(cache.find("d99"));  // the newest always gets in
}

TEST(DataKeyCache, ZeroCapacityKeepsNothing) {
  DataKeyCache cache(0);
  cache.remember("d1", crypto::SecretKey::random(), cache.ticket());
  EXPECT_FALSE(cache.find("d1"));
}

}  // namespace
}  // namespace passerelle::store
