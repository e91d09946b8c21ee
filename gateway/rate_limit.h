// Per-client rate limits for the gateway: a token bucket per client, shared by every
// replica through Redis. Requests are decided in-process, without waiting for Redis: each
// replica keeps its own copy of the buckets it has seen (bounded, least recently used
// evicted), and a background sync every FX_RATE_LIMIT_SYNC_MS sends Redis what it spent
// since the last sync and adopts the shared level that comes back (one Lua call for all
// the buckets touched). So the shared bucket holds every replica's spending, and each
// replica learns the others' within one sync. While Redis is unreachable the replicas
// keep limiting on their own buckets, neither failing open nor refusing everything.
//
// The price of not asking Redis per request: a replica may overspend a bucket by what a
// client gets through it between two syncs — at most the burst, for a client it has not
// seen before (a new bucket starts full until the first sync says otherwise).
#ifndef FANGXIAN_GATEWAY_RATE_LIMIT_H_
#define FANGXIAN_GATEWAY_RATE_LIMIT_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "common/redis.h"

namespace fangxian::gateway {

struct RateLimitOptions {
  double per_second = 50;                       // FX_RATE_LIMIT_RPS: tokens added per second
  double burst = 100;                           // FX_RATE_LIMIT_BURST: bucket size
  size_t local_max_keys = 10000;                // clients each replica remembers
  std::chrono::milliseconds sync_interval{20};  // FX_RATE_LIMIT_SYNC_MS
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

// A replica's buckets: one per key, at most `max_keys` of them. When full, a new key
// evicts the least recently used bucket (refused requests count as use, so a client
// being limited keeps its drained bucket): memory and time per request stay bounded under
// a flood of new keys, and an active client is only forgotten after `max_keys` others.
// Each bucket also counts what was spent since the last sync with the shared buckets.
class LocalBuckets {
 public:
  // `track_spent`: count spending for TakeSpent (only when something will call it: the
  // list of buckets to sync would otherwise grow for ever).
  LocalBuckets(double per_second, double burst, size_t max_keys, bool track_spent = false);
  // As TakeFromBucket, for all of `keys` at once: a token is taken from every bucket only
  // when each has one; else nothing is taken and the longest wait is returned. A refusal
  // adds no bucket for a key not yet seen.
  int64_t Take(const std::vector<std::string>& keys, int64_t now_us);
  size_t size() const;

  // What to tell the shared buckets: every bucket that spent tokens since the last call,
  // with the tokens spent, and those that only refused requests (at most once a second
  // each: a refusal asks for the level, in case another replica or an operator refilled
  // the bucket). Counts start again from zero.
  struct Spent {
    std::string key;
    int64_t tokens = 0;
  };
  std::vector<Spent> TakeSpent();
  // Adopts the shared levels for `spent` (as returned by TakeSpent, in the same order),
  // less what each bucket spent since: the shared level already holds every replica's
  // spending up to the sync.
  void Adopt(const std::vector<Spent>& spent, const std::vector<double>& levels, int64_t now_us);
  // Gives back spending TakeSpent listed but that never reached the shared buckets, for
  // the next sync.
  void Restore(const std::vector<Spent>& spent);

 private:
  struct State {
    Bucket bucket;
    int64_t spent = 0;      // tokens taken since the last TakeSpent
    bool dirty = false;     // listed in dirty_
    int64_t asked_us = -1;  // when a refusal last listed it
  };

  void MarkDirty(const std::string& key, State* state);
  using Entry = std::pair<std::string, State>;

  const double per_second_;
  const double burst_;
  const size_t max_keys_;
  const bool track_spent_;
  mutable std::mutex mu_;
  std::list<Entry> lru_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
  std::vector<std::string> dirty_;  // keys to sync
};

struct RateDecision {
  bool allowed = true;
  int retry_after_s = 0;  // when refused
  bool local = false;     // decided while the last sync with Redis failed (or without Redis)
};

class RateLimiter {
 public:
  using Clock = std::function<int64_t()>;  // microseconds, monotonic

  // `redis` may be null: local buckets only (one replica). `clock` (tests) drives the
  // local buckets; Redis uses its own TIME so replicas need not agree on a clock.
  RateLimiter(RateLimitOptions options, common::RedisPool* redis, Clock clock = nullptr);
  ~RateLimiter();  // stops the sync thread; what was spent since the last sync is not sent
  RateLimiter(const RateLimiter&) = delete;
  RateLimiter& operator=(const RateLimiter&) = delete;

  // Takes a token from each of `keys`' buckets (see KeysFor), all or nothing: allowed only
  // when every bucket has one; when refused, Retry-After is the longest of the waits.
  // In-process: never waits for Redis.
  RateDecision Take(const std::vector<std::string>& keys);

  // Starts the background sync with Redis (every options.sync_interval); without Redis,
  // does nothing.
  void StartSync();
  // One sync: sends what was spent since the last and adopts the shared levels. False when
  // Redis could not be reached: that spending is not sent later (while Redis is away, each
  // replica limits on its own). Called by the sync thread; tests call it directly.
  bool SyncOnce();

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
  uint64_t syncs() const { return syncs_.load(std::memory_order_relaxed); }
  bool redis_up() const { return redis_ != nullptr && redis_->up(); }
  bool uses_redis() const { return redis_ != nullptr; }

 private:
  // Runs the script on `spent`; the levels in the same order, or nothing on failure.
  std::optional<std::vector<double>> SyncInRedis(const std::vector<LocalBuckets::Spent>& spent);

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
  std::atomic<uint64_t> syncs_{0};   // successful syncs
  std::atomic<bool> synced_{false};  // the last sync succeeded
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;
  std::thread sync_thread_;
};

}  // namespace fangxian::gateway

#endif  // FANGXIAN_GATEWAY_RATE_LIMIT_H_
