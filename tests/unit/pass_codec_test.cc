#include "services/identity/passes.h"

#include <gtest/gtest.h>

namespace fangxian::identity {
namespace {

const absl::Time kNow = absl::FromUnixSeconds(1'800'000'000);

TEST(PassCodecTest, RoundTripsAndStaysShortEnoughForAQrCode) {
  PassCodec codec(std::string(32, 'k'));
  PassClaims in{"123e4567-e89b-12d3-a456-426614174000", 7, kNow + absl::Hours(24)};
  const std::string token = codec.Encode(in);
  EXPECT_LE(token.size(), 80u) << token;
  auto out = codec.Decode(token, kNow);
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->resident_id, in.resident_id);
  EXPECT_EQ(out->version, 7u);
  EXPECT_EQ(out->expires, in.expires);
}

TEST(PassCodecTest, RefusesForgedExpiredAndForeignTokens) {
  PassCodec codec(std::string(32, 'k'));
  PassClaims in{"123e4567-e89b-12d3-a456-426614174000", 1, kNow + absl::Hours(1)};
  std::string token = codec.Encode(in);
  EXPECT_EQ(codec.Decode(token, kNow + absl::Hours(2)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_FALSE(PassCodec(std::string(32, 'x')).Decode(token, kNow).ok());  // another key
  std::string tampered = token;
  tampered[8] = tampered[8] == 'A' ? 'B' : 'A';  // inside the payload
  auto forged = codec.Decode(tampered, kNow);
  EXPECT_EQ(forged.status().code(), absl::StatusCode::kInvalidArgument);
  for (const char* junk : {"", "fxp1", "fxp1..", "jwt.a.b", "fxp1.AAAA.BBBB"}) {
    EXPECT_FALSE(codec.Decode(junk, kNow).ok()) << junk;
  }
}

}  // namespace
}  // namespace fangxian::identity
