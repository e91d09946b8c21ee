// Per-client rate limits for the gateway: a token bucket per client, kept in Redis so
// every replica shares it (one Lua script refills and takes atomically). While Redis is
// unreachable or too slow, each replica keeps limiting with a bounded in-process bucket
// per client instead of failing open or refusing everything; the Redis pool's back-off
// decides when Redis is tried again.
#ifndef FANGXIAN_GATEWAY_RATE_LIMIT_H_
#define FANGXIAN_GATEWAY_RATE_LIMIT_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/redis.h"

namespace fangxian::gateway {

struct RateLimitOptions {
  double per_second = 50;         // FX_RATE_LIMIT_RPS: tokens added per second
  double burst = 100;             // FX_RATE_LIMIT_BURST: bucket size
  size_t local_max_keys = 10000;  // clients the local fallback remembers
};

// One client's bucket: `tokens` as of `updated_us` (microseconds of some clock).
struct Bucket {
  double tokens = 0;
  int64_t updated_us = 0;
};

// Refills `bucket` for the time since it was updated (never past `burst`), then takes
// one token. Returns 0 when a token was taken, else the microseconds until one will be
// there (the bucket is still brought up to date). A new bucket starts full: pass one
// with updated_us = 0 and tokens = burst.
int64_t TakeFromBucket(double per_second, double burst, int64_t now_us, Bucket* bucket);

// Seconds for a Retry-After header: `wait_us` rounded up, at least 1.
int RetryAfterSeconds(int64_t wait_us);

// The in-process fallback: a bucket per key, at most `max_keys` of them. When full, a new
// key evicts the least recently used bucket (refused requests count as use, so a client
// being limited keeps its drained bucket): memory and time per request stay bounded under
// a flood of new keys, and an active client is only forgotten after `max_keys` others.
class LocalBuckets {
 public:
  LocalBuckets(double per_second, double burst, size_t max_keys);
  // As TakeFromBucket, for all of `keys` at once: a token is taken from every bucket only
  // when each has one; else nothing is taken and the longest wait is returned. A refusal
  // adds no bucket for a key not yet seen.
  int64_t Take(const std::vector<std::string>& keys, int64_t now_us);
  size_t size() const;

 private:
  using Entry = std::pair<std::string, Bucket>;

  const double per_second_;
  const double burst_;
  const size_t max_keys_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

struct RateDecision {
  bool allowed = true;
  int retry_after_s = 0;  // when refused
  bool local = false;     // decided by the local fallback
};

class RateLimiter {
 public:
  using Clock = std::function<int64_t()>;  // microseconds, monotonic

  // `redis` may be null: local buckets only (one replica). `clock` (tests) drives the
  // local buckets; Redis uses its own TIME so replicas need not agree on a clock.
  RateLimiter(RateLimitOptions options, common::RedisPool* redis, Clock clock = nullptr);

  // Takes a token from each of `keys`' buckets (see KeysFor), all or nothing: allowed only
  // when every bucket has one; when refused, Retry-After is the longest of the waits.
  RateDecision Take(const std::vector<std::string>& keys);

  // The buckets a request takes from: always its address's (AddressKey), and, when it
  // carries a bearer token, also that token's (TokenKey). The token is not verified, so
  // inventing a token per request cannot escape the address's bucket.
  static std::vector<std::string> KeysFor(absl::string_view authorization,
                                          absl::string_view peer_address);
  // "fx:gateway:v1:rl:a:<address>": an IPv4 address as is, an IPv6 address by its /64
  // prefix ("2001:db8:1:2::/64"; one host usually owns a whole /64), an IPv4-mapped IPv6
  // address as the IPv4 one; anything else verbatim ("unknown" when empty).
  static std::string AddressKey(absl::string_view peer_address);
  // "fx:gateway:v1:rl:t:<32 hex>": a BLAKE2b-128 hash of the bearer token (never the
  // token itself); empty when `authorization` is not "Bearer <token>".
  static std::string TokenKey(absl::string_view authorization);

  uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  uint64_t local_decisions() const { return local_.load(std::memory_order_relaxed); }
  bool redis_up() const { return redis_ != nullptr && redis_->up(); }
  bool uses_redis() const { return redis_ != nullptr; }

 private:
  // -1: Redis could not decide; else as TakeFromBucket.
  int64_t TakeInRedis(const std::vector<std::string>& keys);

  const RateLimitOptions options_;
  common::RedisPool* redis_;
  Clock clock_;
  const std::string ttl_ms_;
  const std::string per_second_;
  const std::string burst_;
  LocalBuckets local_buckets_;
  std::mutex sha_mu_;
  std::string script_sha_;  // from SCRIPT LOAD; empty until loaded
  std::atomic<uint64_t> refused_{0};
  std::atomic<uint64_t> local_{0};
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_RATE_LIMIT_H_
