// The gateway's token buckets with an injected clock: refill, burst, Retry-After, the
// bounded local fallback, and keys that never carry the token.
#include "gateway/rate_limit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace fangxian::gateway {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

constexpr int64_t kSecond = 1000000;

TEST(TakeFromBucket, FullBucketGivesBurstThenRefusesWithTheWaitForOneToken) {
  Bucket b{/*tokens=*/3, /*updated_us=*/100};
  EXPECT_EQ(TakeFromBucket(2, 3, 100, &b), 0);
  EXPECT_EQ(TakeFromBucket(2, 3, 100, &b), 0);
  EXPECT_EQ(TakeFromBucket(2, 3, 100, &b), 0);
  // Empty: at 2 tokens a second the next one is half a second away.
  EXPECT_EQ(TakeFromBucket(2, 3, 100, &b), kSecond / 2);
  // A quarter second later it is a quarter second away.
  EXPECT_EQ(TakeFromBucket(2, 3, 100 + kSecond / 4, &b), kSecond / 4);
  EXPECT_EQ(TakeFromBucket(2, 3, 100 + kSecond / 2, &b), 0);
}

TEST(TakeFromBucket, RefillNeverExceedsTheBurst) {
  Bucket b{0, 0};
  EXPECT_EQ(TakeFromBucket(10, 5, 3600 * kSecond, &b), 0);
  EXPECT_DOUBLE_EQ(b.tokens, 4);
}

TEST(TakeFromBucket, AClockGoingBackwardsAddsNothing) {
  Bucket b{0.5, 10 * kSecond};
  EXPECT_GT(TakeFromBucket(1, 5, 9 * kSecond, &b), 0);
  EXPECT_DOUBLE_EQ(b.tokens, 0.5);
  EXPECT_EQ(b.updated_us, 10 * kSecond);
}

TEST(RetryAfterSeconds, RoundsUpToWholeSecondsAtLeastOne) {
  EXPECT_EQ(RetryAfterSeconds(1), 1);
  EXPECT_EQ(RetryAfterSeconds(kSecond), 1);
  EXPECT_EQ(RetryAfterSeconds(kSecond + 1), 2);
  EXPECT_EQ(RetryAfterSeconds(0), 1);
}

TEST(LocalBuckets, EachKeyHasItsOwnBucket) {
  LocalBuckets buckets(1, 2, 100);
  EXPECT_EQ(buckets.Take("a", 0), 0);
  EXPECT_EQ(buckets.Take("a", 0), 0);
  EXPECT_GT(buckets.Take("a", 0), 0);
  EXPECT_EQ(buckets.Take("b", 0), 0);
  EXPECT_EQ(buckets.Take("a", kSecond), 0);
}

TEST(LocalBuckets, StaysBoundedAndKeepsBusyBucketsWhileRefilledOnesGo) {
  LocalBuckets buckets(1, 2, 3);
  // "busy" is drained and stays so; two others take one token each.
  EXPECT_EQ(buckets.Take("busy", 0), 0);
  EXPECT_EQ(buckets.Take("busy", 0), 0);
  EXPECT_EQ(buckets.Take("x", 0), 0);
  EXPECT_EQ(buckets.Take("y", 0), 0);
  EXPECT_EQ(buckets.size(), 3u);
  // 1.5 s later x and y have refilled completely; busy holds 1.5 tokens, not full.
  EXPECT_EQ(buckets.Take("new", kSecond * 3 / 2), 0);
  EXPECT_EQ(buckets.size(), 2u);  // busy and new
  EXPECT_EQ(buckets.Take("busy", kSecond * 3 / 2), 0);
  EXPECT_GT(buckets.Take("busy", kSecond * 3 / 2), 0);  // its state survived
  for (int i = 0; i < 100; ++i) buckets.Take("flood-" + std::to_string(i), kSecond * 3 / 2);
  EXPECT_LE(buckets.size(), 3u);
}

TEST(RateLimiter, WithoutRedisLimitsLocallyOnTheInjectedClock) {
  int64_t now = 0;
  RateLimiter limiter({/*per_second=*/1, /*burst=*/2, /*local_max_keys=*/10}, nullptr,
                      [&now] { return now; });
  EXPECT_TRUE(limiter.Take("k").allowed);
  EXPECT_TRUE(limiter.Take("k").allowed);
  const RateDecision refused = limiter.Take("k");
  EXPECT_FALSE(refused.allowed);
  EXPECT_TRUE(refused.local);
  EXPECT_EQ(refused.retry_after_s, 1);
  EXPECT_EQ(limiter.refused(), 1u);
  EXPECT_EQ(limiter.local_decisions(), 3u);
  now += kSecond;
  EXPECT_TRUE(limiter.Take("k").allowed);
}

TEST(RateLimiter, RetryAfterCoversASlowRefill) {
  int64_t now = 0;
  RateLimiter limiter({/*per_second=*/0.25, /*burst=*/1, 10}, nullptr, [&now] { return now; });
  EXPECT_TRUE(limiter.Take("k").allowed);
  EXPECT_EQ(limiter.Take("k").retry_after_s, 4);
}

TEST(RateLimiterKey, HashesTheBearerTokenAndNeverContainsIt) {
  const std::string token = "eyJhbGciOiJFZERTQSJ9.secret-part.signature";
  const std::string key = RateLimiter::KeyFor("Bearer " + token, "10.0.0.1");
  EXPECT_THAT(key, StartsWith("fx:gateway:v1:rl:t:"));
  EXPECT_EQ(key.size(), std::string("fx:gateway:v1:rl:t:").size() + 32);
  EXPECT_THAT(key, Not(HasSubstr("secret")));
  EXPECT_THAT(key, Not(HasSubstr("10.0.0.1")));
  // The same token from anywhere is one client; another token is another.
  EXPECT_EQ(key, RateLimiter::KeyFor("bearer " + token, "10.0.0.2"));
  EXPECT_NE(key, RateLimiter::KeyFor("Bearer " + token + "x", "10.0.0.1"));
}

TEST(RateLimiterKey, WithoutATokenTheAddressIsTheClient) {
  EXPECT_EQ(RateLimiter::KeyFor("", "10.0.0.1"), "fx:gateway:v1:rl:a:10.0.0.1");
  EXPECT_EQ(RateLimiter::KeyFor("", ""), "fx:gateway:v1:rl:a:unknown");
}

}  // namespace
}  // namespace fangxian::gateway
