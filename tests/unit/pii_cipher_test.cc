#include "services/identity/pii_cipher.h"

#include <gtest/gtest.h>

namespace fangxian::identity {
namespace {

PiiCipher MakeCipher(char a, char b) { return PiiCipher(std::string(32, a), std::string(32, b)); }

TEST(PiiCipherTest, SealOpenRoundTripWithFreshNonces) {
  PiiCipher c = MakeCipher('a', 'b');
  const std::string s1 = c.Seal("11010519491231002X", "id_number");
  const std::string s2 = c.Seal("11010519491231002X", "id_number");
  EXPECT_NE(s1, s2);
  EXPECT_EQ(s1.find("11010519491231002X"), std::string::npos);
  auto plain = c.Open(s1, "id_number");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(*plain, "11010519491231002X");
}

TEST(PiiCipherTest, OpenFailsOnTamperingContextOrKey) {
  PiiCipher c = MakeCipher('a', 'b');
  std::string sealed = c.Seal("11010519491231002X", "id_number");
  EXPECT_EQ(c.Open(sealed, "phone").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(MakeCipher('z', 'b').Open(sealed, "id_number").status().code(),
            absl::StatusCode::kDataLoss);
  sealed[sealed.size() / 2] ^= 1;
  EXPECT_EQ(c.Open(sealed, "id_number").status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(c.Open("short", "id_number").status().code(), absl::StatusCode::kDataLoss);
}

TEST(PiiCipherTest, LookupHashIsKeyedAndDeterministic) {
  PiiCipher c = MakeCipher('a', 'b');
  EXPECT_EQ(c.LookupHash("x"), c.LookupHash("x"));
  EXPECT_NE(c.LookupHash("x"), c.LookupHash("y"));
  EXPECT_NE(c.LookupHash("x"), MakeCipher('a', 'c').LookupHash("x"));
  EXPECT_EQ(c.LookupHash("x").size(), 32u);
}

}  // namespace
}  // namespace fangxian::identity
