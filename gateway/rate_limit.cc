#include "gateway/rate_limit.h"

#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"

namespace fangxian::gateway {
namespace {

constexpr char kKeyPrefix[] = "fx:gateway:v1:rl:";

// The same refill-and-take as TakeFromBucket, atomic in Redis, on Redis's clock.
// KEYS[1]: the bucket (hash: t = tokens, u = updated, microseconds).
// ARGV: tokens per second, burst, TTL in milliseconds (the time to refill completely,
// after which a missing bucket and a full one are the same).
// Returns {1, 0} when a token was taken, {0, microseconds until one is there} otherwise.
constexpr char kTakeScript[] = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local state = redis.call('HMGET', KEYS[1], 't', 'u')
local tokens = tonumber(state[1])
local updated = tonumber(state[2])
if tokens == nil or updated == nil then
  tokens = burst
  updated = now
end
local elapsed = math.max(0, now - updated)
tokens = math.min(burst, tokens + elapsed * rate / 1000000)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait = math.ceil((1 - tokens) * 1000000 / rate)
end
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'u', tostring(now))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
if wait == 0 then
  return {1, 0}
end
return {0, wait}
)lua";

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// What a Redis reply of the script means: -1 when it is not {allowed, wait}.
int64_t ParseScriptReply(const redisReply& r) {
  if (r.type != REDIS_REPLY_ARRAY || r.elements != 2 || r.element[0]->type != REDIS_REPLY_INTEGER ||
      r.element[1]->type != REDIS_REPLY_INTEGER) {
    return -1;
  }
  if (r.element[0]->integer == 1) return 0;
  return std::max<int64_t>(1, r.element[1]->integer);
}

}  // namespace

int64_t TakeFromBucket(double per_second, double burst, int64_t now_us, Bucket* bucket) {
  const double elapsed_us = static_cast<double>(std::max<int64_t>(0, now_us - bucket->updated_us));
  bucket->tokens = std::min(burst, bucket->tokens + elapsed_us * per_second / 1e6);
  bucket->updated_us = std::max(bucket->updated_us, now_us);
  if (bucket->tokens >= 1) {
    bucket->tokens -= 1;
    return 0;
  }
  return std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil((1 - bucket->tokens) * 1e6 / per_second)));
}

int RetryAfterSeconds(int64_t wait_us) {
  return static_cast<int>(std::max<int64_t>(1, (wait_us + 999999) / 1000000));
}

LocalBuckets::LocalBuckets(double per_second, double burst, size_t max_keys)
    : per_second_(per_second), burst_(burst), max_keys_(std::max<size_t>(1, max_keys)) {}

int64_t LocalBuckets::Take(const std::string& key, int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) MakeRoom(now_us);
    it = buckets_.emplace(key, Bucket{burst_, now_us}).first;
  }
  return TakeFromBucket(per_second_, burst_, now_us, &it->second);
}

size_t LocalBuckets::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return buckets_.size();
}

void LocalBuckets::MakeRoom(int64_t now_us) {
  const bool sweep = !swept_ || now_us - last_sweep_us_ >= 1000000;
  if (sweep) {
    swept_ = true;
    last_sweep_us_ = now_us;
  }
  for (auto it = buckets_.begin(); sweep && it != buckets_.end();) {
    const double idle_us = static_cast<double>(now_us - it->second.updated_us);
    if (it->second.tokens + idle_us * per_second_ / 1e6 >= burst_) {
      it = buckets_.erase(it);
    } else {
      ++it;
    }
  }
  if (buckets_.size() >= max_keys_) buckets_.erase(buckets_.begin());
}

RateLimiter::RateLimiter(RateLimitOptions options, common::RedisPool* redis, Clock clock)
    : options_(options),
      redis_(redis),
      clock_(clock ? std::move(clock) : Clock(SteadyMicros)),
      ttl_ms_(std::to_string(
          static_cast<int64_t>(std::ceil(options.burst * 1000 / options.per_second)) + 1000)),
      per_second_(absl::StrFormat("%.17g", options.per_second)),
      burst_(absl::StrFormat("%.17g", options.burst)),
      local_buckets_(options.per_second, options.burst, options.local_max_keys) {}

std::string RateLimiter::KeyFor(absl::string_view authorization, absl::string_view peer_address) {
  if (authorization.empty()) {
    return absl::StrCat(kKeyPrefix, "a:", peer_address.empty() ? "unknown" : peer_address);
  }
  absl::string_view token = authorization;
  if (token.size() > 7 && absl::EqualsIgnoreCase(token.substr(0, 7), "Bearer ")) {
    token = token.substr(7);
  }
  static const bool sodium_ready = sodium_init() >= 0;  // thread-safe once
  (void)sodium_ready;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return absl::StrCat(kKeyPrefix, "t:",
                      absl::BytesToHexString(
                          absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest)));
}

int64_t RateLimiter::TakeInRedis(const std::string& key) {
  std::string sha;
  {
    std::lock_guard<std::mutex> lock(sha_mu_);
    sha = script_sha_;
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (sha.empty()) {
      absl::StatusOr<common::RedisReply> loaded = redis_->Command({"SCRIPT", "LOAD", kTakeScript});
      if (!loaded.ok() || (*loaded)->type != REDIS_REPLY_STRING) return -1;
      sha.assign((*loaded)->str, (*loaded)->len);
      std::lock_guard<std::mutex> lock(sha_mu_);
      script_sha_ = sha;
    }
    absl::StatusOr<common::RedisReply> reply =
        redis_->Command({"EVALSHA", sha, "1", key, per_second_, burst_, ttl_ms_});
    if (reply.ok()) {
      const int64_t wait = ParseScriptReply(**reply);
      if (wait < 0) common::LogWarning("rate limit script: unexpected reply", {});
      return wait;
    }
    // A restarted or flushed Redis has forgotten the script: load it again, once.
    if (!absl::StrContains(reply.status().message(), "NOSCRIPT")) return -1;
    sha.clear();
  }
  return -1;
}

RateDecision RateLimiter::Take(absl::string_view key_view) {
  const std::string key(key_view);
  RateDecision decision;
  int64_t wait = redis_ != nullptr ? TakeInRedis(key) : -1;
  if (wait < 0) {
    decision.local = true;
    local_.fetch_add(1, std::memory_order_relaxed);
    wait = local_buckets_.Take(key, clock_());
  }
  if (wait > 0) {
    decision.allowed = false;
    decision.retry_after_s = RetryAfterSeconds(wait);
    refused_.fetch_add(1, std::memory_order_relaxed);
  }
  return decision;
}

}  // namespace fangxian::gateway
