// The gateway's token buckets with an injected clock: refill, burst, Retry-After, the
// bounded (least recently used) local fallback, all-or-nothing takes from several buckets,
// and keys: the address always (IPv6 by /64), a token's hash, never the token.
#include "gateway/rate_limit.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

namespace fangxian::gateway {
namespace {

using ::testing::ElementsAre;
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
  EXPECT_EQ(buckets.Take({"a"}, 0), 0);
  EXPECT_EQ(buckets.Take({"a"}, 0), 0);
  EXPECT_GT(buckets.Take({"a"}, 0), 0);
  EXPECT_EQ(buckets.Take({"b"}, 0), 0);
  EXPECT_EQ(buckets.Take({"a"}, kSecond), 0);
}

TEST(LocalBuckets, WhenFullANewKeyEvictsTheLeastRecentlyUsedBucket) {
  LocalBuckets buckets(1, 2, 3);
  // "busy" is drained; x and y are touched after it.
  EXPECT_EQ(buckets.Take({"busy"}, 0), 0);
  EXPECT_EQ(buckets.Take({"busy"}, 0), 0);
  EXPECT_EQ(buckets.Take({"x"}, 0), 0);
  EXPECT_EQ(buckets.Take({"y"}, 0), 0);
  // busy is refused, which is a use: x is now the least recently used.
  EXPECT_GT(buckets.Take({"busy"}, 0), 0);
  EXPECT_EQ(buckets.Take({"new"}, 0), 0);
  EXPECT_EQ(buckets.size(), 3u);
  EXPECT_GT(buckets.Take({"busy"}, 0), 0) << "an active, drained bucket was evicted";
  // x was forgotten (a fresh bucket: two tokens), y was kept (one left).
  EXPECT_EQ(buckets.Take({"y"}, 0), 0);
  EXPECT_GT(buckets.Take({"y"}, 0), 0);
  // A flood of new keys stays bounded.
  for (int i = 0; i < 100; ++i) buckets.Take({"flood-" + std::to_string(i)}, 0);
  EXPECT_EQ(buckets.size(), 3u);
}

TEST(LocalBuckets, SeveralKeysTakeAllOrNothingAndReportTheLongestWait) {
  LocalBuckets buckets(1, 2, 100);
  EXPECT_EQ(buckets.Take({"addr", "tok-1"}, 0), 0);
  EXPECT_EQ(buckets.Take({"addr", "tok-2"}, 0), 0);
  // The address is empty: a third invented token is refused and gets no bucket.
  EXPECT_EQ(buckets.Take({"addr", "tok-3"}, 0), kSecond);
  EXPECT_EQ(buckets.size(), 3u);
  // Half a second later the address has half a token; tok-1 has 1.5: the wait is the
  // address's, and the refusal took nothing from tok-1.
  EXPECT_EQ(buckets.Take({"tok-1", "addr"}, kSecond / 2), kSecond / 2);
  EXPECT_EQ(buckets.Take({"tok-1"}, kSecond / 2), 0);
  // At 1 s both have one token; tok-1 spends its own, so now tok-1 is the one waiting and
  // the refusal leaves the address's token alone.
  EXPECT_EQ(buckets.Take({"tok-1"}, kSecond), 0);
  EXPECT_EQ(buckets.Take({"addr", "tok-1"}, kSecond), kSecond);
  EXPECT_EQ(buckets.Take({"addr"}, kSecond), 0);
}

TEST(LocalBuckets, TakeSpentListsWhatWasSpentOrRefusedSinceTheLastCall) {
  LocalBuckets buckets(/*per_second=*/1, /*burst=*/2, /*max_keys=*/10, /*track_spent=*/true);
  EXPECT_EQ(buckets.Take({"a", "t"}, 0), 0);
  EXPECT_EQ(buckets.Take({"a"}, 0), 0);
  EXPECT_GT(buckets.Take({"a"}, 0), 0);         // refused: asks for the level
  EXPECT_GT(buckets.Take({"new", "a"}, 0), 0);  // a refused new key is not remembered
  std::vector<LocalBuckets::Spent> spent = buckets.TakeSpent();
  ASSERT_EQ(spent.size(), 2u);
  EXPECT_EQ(spent[0].key, "a");
  EXPECT_EQ(spent[0].tokens, 2);
  EXPECT_EQ(spent[1].key, "t");
  EXPECT_EQ(spent[1].tokens, 1);
  EXPECT_TRUE(buckets.TakeSpent().empty()) << "counts start again from zero";
}

TEST(LocalBuckets, ABucketThatKeepsRefusingAsksForTheSharedLevelOnceASecond) {
  LocalBuckets buckets(/*per_second=*/0.1, /*burst=*/1, /*max_keys=*/10, /*track_spent=*/true);
  EXPECT_EQ(buckets.Take({"k"}, 0), 0);
  ASSERT_EQ(buckets.TakeSpent().size(), 1u);
  EXPECT_GT(buckets.Take({"k"}, 1000), 0);
  std::vector<LocalBuckets::Spent> asked = buckets.TakeSpent();
  ASSERT_EQ(asked.size(), 1u);
  EXPECT_EQ(asked[0].tokens, 0);
  EXPECT_GT(buckets.Take({"k"}, 2000), 0);
  EXPECT_TRUE(buckets.TakeSpent().empty()) << "asked a millisecond ago";
  EXPECT_GT(buckets.Take({"k"}, kSecond + 1000), 0);
  EXPECT_EQ(buckets.TakeSpent().size(), 1u) << "a second after the last ask";
}

TEST(LocalBuckets, WithoutSyncNothingIsTracked) {
  // A single replica without Redis: no list of buckets to sync may grow.
  LocalBuckets buckets(/*per_second=*/1, /*burst=*/2, /*max_keys=*/10);
  for (int i = 0; i < 100; ++i) buckets.Take({"key-" + std::to_string(i)}, 0);
  EXPECT_TRUE(buckets.TakeSpent().empty());
  EXPECT_EQ(buckets.size(), 10u);
}

TEST(LocalBuckets, RestoreKeepsUnsentSpendingForTheNextSync) {
  LocalBuckets buckets(/*per_second=*/1, /*burst=*/10, /*max_keys=*/10, /*track_spent=*/true);
  EXPECT_EQ(buckets.Take({"k"}, 0), 0);
  EXPECT_EQ(buckets.Take({"k"}, 0), 0);
  const std::vector<LocalBuckets::Spent> unsent = buckets.TakeSpent();
  EXPECT_EQ(buckets.Take({"k"}, 0), 0);
  buckets.Restore(unsent);
  const std::vector<LocalBuckets::Spent> next = buckets.TakeSpent();
  ASSERT_EQ(next.size(), 1u);
  EXPECT_EQ(next[0].tokens, 3);
}

TEST(LocalBuckets, AdoptTakesTheSharedLevelLessWhatWasSpentSince) {
  LocalBuckets buckets(/*per_second=*/1, /*burst=*/10, /*max_keys=*/10, /*track_spent=*/true);
  EXPECT_EQ(buckets.Take({"k"}, 0), 0);
  const std::vector<LocalBuckets::Spent> spent = buckets.TakeSpent();
  EXPECT_EQ(buckets.Take({"k"}, 0), 0);  // after the sync read its counts
  // Other replicas spent the rest: the shared level is 1, of which one more went here.
  buckets.Adopt(spent, {1}, 0);
  EXPECT_GT(buckets.Take({"k"}, 0), 0);
  EXPECT_EQ(buckets.Take({"k"}, kSecond), 0) << "refills locally between syncs";
  // A level above the burst (a larger burst elsewhere) is capped.
  buckets.Adopt({{"k", 0}}, {100}, kSecond);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(buckets.Take({"k"}, kSecond), 0) << i;
  EXPECT_GT(buckets.Take({"k"}, kSecond), 0);
  // A key evicted meanwhile is skipped.
  buckets.Adopt({{"gone", 3}}, {5}, kSecond);
  EXPECT_EQ(buckets.size(), 1u);
}

TEST(RateLimiter, WithoutRedisLimitsLocallyOnTheInjectedClock) {
  int64_t now = 0;
  RateLimiter limiter({/*per_second=*/1, /*burst=*/2, /*local_max_keys=*/10}, nullptr,
                      [&now] { return now; });
  EXPECT_TRUE(limiter.Take({"k"}).allowed);
  EXPECT_TRUE(limiter.Take({"k"}).allowed);
  const RateDecision refused = limiter.Take({"k"});
  EXPECT_FALSE(refused.allowed);
  EXPECT_TRUE(refused.local);
  EXPECT_EQ(refused.retry_after_s, 1);
  EXPECT_EQ(limiter.refused(), 1u);
  EXPECT_EQ(limiter.local_decisions(), 3u);
  now += kSecond;
  EXPECT_TRUE(limiter.Take({"k"}).allowed);
  EXPECT_FALSE(limiter.SyncOnce()) << "nothing to sync with";
}

TEST(RateLimiter, RetryAfterCoversASlowRefill) {
  int64_t now = 0;
  RateLimiter limiter({/*per_second=*/0.25, /*burst=*/1, 10}, nullptr, [&now] { return now; });
  EXPECT_TRUE(limiter.Take({"k"}).allowed);
  EXPECT_EQ(limiter.Take({"k"}).retry_after_s, 4);
}

TEST(RateLimiterKey, HashesTheBearerTokenAndNeverContainsIt) {
  const std::string token = "eyJhbGciOiJFZERTQSJ9.secret-part.signature";
  const std::string key = RateLimiter::TokenKey("Bearer " + token);
  EXPECT_THAT(key, StartsWith("fx:gateway:v1:rl:t:"));
  EXPECT_EQ(key.size(), std::string("fx:gateway:v1:rl:t:").size() + 32);
  EXPECT_THAT(key, Not(HasSubstr("secret")));
  EXPECT_EQ(key, RateLimiter::TokenKey("bearer " + token));
  EXPECT_NE(key, RateLimiter::TokenKey("Bearer " + token + "x"));
  EXPECT_EQ(RateLimiter::TokenKey(""), "");
  EXPECT_EQ(RateLimiter::TokenKey("Bearer "), "");
  EXPECT_EQ(RateLimiter::TokenKey("Basic dXNlcjpwYXNz"), "");
}

TEST(RateLimiterKey, EveryRequestTakesFromItsAddressAndATokenAddsItsOwnBucket) {
  EXPECT_THAT(RateLimiter::KeysFor("", "10.0.0.1"), ElementsAre("fx:gateway:v1:rl:a:10.0.0.1"));
  const std::string token = "Bearer eyJhbGciOiJFZERTQSJ9.secret-part.signature";
  EXPECT_THAT(RateLimiter::KeysFor(token, "10.0.0.1"),
              ElementsAre("fx:gateway:v1:rl:a:10.0.0.1", RateLimiter::TokenKey(token)));
  // The same token from anywhere shares its bucket; the address still counts.
  EXPECT_THAT(RateLimiter::KeysFor(token, "10.0.0.2"),
              ElementsAre("fx:gateway:v1:rl:a:10.0.0.2", RateLimiter::TokenKey(token)));
  EXPECT_THAT(RateLimiter::KeysFor("Basic x", "10.0.0.1"),
              ElementsAre("fx:gateway:v1:rl:a:10.0.0.1"));
}

TEST(RateLimiterKey, IPv6AddressesAreKeyedByTheirSlash64) {
  EXPECT_EQ(RateLimiter::AddressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd"),
            "fx:gateway:v1:rl:a:2001:db8:1:2::/64");
  EXPECT_EQ(RateLimiter::AddressKey("2001:db8:1:2::1"), "fx:gateway:v1:rl:a:2001:db8:1:2::/64");
  EXPECT_NE(RateLimiter::AddressKey("2001:db8:1:3::1"), "fx:gateway:v1:rl:a:2001:db8:1:2::/64");
  EXPECT_EQ(RateLimiter::AddressKey("fe80::1%eth0"), "fx:gateway:v1:rl:a:fe80::/64");
  EXPECT_EQ(RateLimiter::AddressKey("::1"), "fx:gateway:v1:rl:a:::/64");
  // An IPv4 client on a dual-stack socket is its IPv4 address.
  EXPECT_EQ(RateLimiter::AddressKey("::ffff:192.0.2.7"), "fx:gateway:v1:rl:a:192.0.2.7");
  EXPECT_EQ(RateLimiter::AddressKey("192.0.2.7"), "fx:gateway:v1:rl:a:192.0.2.7");
  EXPECT_EQ(RateLimiter::AddressKey(""), "fx:gateway:v1:rl:a:unknown");
}

}  // namespace
}  // namespace fangxian::gateway
