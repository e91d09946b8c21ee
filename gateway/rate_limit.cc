#include "gateway/rate_limit.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sodium.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <utility>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/log.h"

namespace fangxian::gateway {
namespace {

constexpr char kKeyPrefix[] = "fx:gateway:v1:rl:";

// The sync of one replica's buckets with the shared ones, atomic in Redis, on Redis's
// clock. KEYS: the buckets (hashes: t = tokens, u = updated, microseconds).
// ARGV: tokens per second, burst, TTL in milliseconds (the time to refill completely from
// -burst, after which a missing bucket and a full one are the same), then the tokens this
// replica spent from each bucket since its last sync.
// Each bucket is refilled for the time since its update, the spending taken off (down to
// -burst at most: a client that overspent across replicas waits, but not for ever) and
// written back. A bucket nothing was spent from is only read: refusals write no key.
// Returns each bucket's level as text. Numbers are written with string.format:
// tostring keeps only 14 digits, too few for microseconds since 1970.
constexpr char kSyncScript[] = R"lua(
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local levels = {}
for i, key in ipairs(KEYS) do
  local state = redis.call('HMGET', key, 't', 'u')
  local t = tonumber(state[1])
  local u = tonumber(state[2])
  if t == nil or u == nil then
    t = burst
    u = now
  end
  t = math.min(burst, t + math.max(0, now - u) * rate / 1000000)
  local spent = tonumber(ARGV[3 + i])
  if spent > 0 then
    t = math.max(-burst, t - spent)
    redis.call('HSET', key, 't', string.format('%.17g', t), 'u', string.format('%.0f', now))
    redis.call('PEXPIRE', key, ARGV[3])
  end
  levels[i] = string.format('%.17g', t)
end
return levels
)lua";

// Buckets per script call: bounds the time one call holds Redis.
constexpr size_t kSyncBatch = 256;

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The levels in a reply of the sync script for `count` buckets; false when it is not one.
bool ParseLevels(const redisReply& r, size_t count, std::vector<double>* levels) {
  if (r.type != REDIS_REPLY_ARRAY || r.elements != count) return false;
  for (size_t i = 0; i < count; ++i) {
    const redisReply* e = r.element[i];
    double level = 0;
    if (e->type != REDIS_REPLY_STRING ||
        !absl::SimpleAtod(absl::string_view(e->str, e->len), &level)) {
      return false;
    }
    levels->push_back(level);
  }
  return true;
}

}  // namespace

namespace {

// Brings `bucket` up to `now_us` (never past `burst`; a clock going backwards adds
// nothing), then returns 0 when it holds a token, else the microseconds until it will.
int64_t Refill(double per_second, double burst, int64_t now_us, Bucket* bucket) {
  const double elapsed_us = static_cast<double>(std::max<int64_t>(0, now_us - bucket->updated_us));
  bucket->tokens = std::min(burst, bucket->tokens + elapsed_us * per_second / 1e6);
  bucket->updated_us = std::max(bucket->updated_us, now_us);
  if (bucket->tokens >= 1) return 0;
  return std::max<int64_t>(
      1, static_cast<int64_t>(std::ceil((1 - bucket->tokens) * 1e6 / per_second)));
}

}  // namespace

int64_t TakeFromBucket(double per_second, double burst, int64_t now_us, Bucket* bucket) {
  const int64_t wait = Refill(per_second, burst, now_us, bucket);
  if (wait == 0) bucket->tokens -= 1;
  return wait;
}

int RetryAfterSeconds(int64_t wait_us) {
  return static_cast<int>(std::max<int64_t>(1, (wait_us + 999999) / 1000000));
}

LocalBuckets::LocalBuckets(double per_second, double burst, size_t max_keys, bool track_spent)
    : per_second_(per_second),
      burst_(burst),
      max_keys_(std::max<size_t>(1, max_keys)),
      track_spent_(track_spent) {}

void LocalBuckets::MarkDirty(const std::string& key, State* state) {
  if (state->dirty) return;
  state->dirty = true;
  dirty_.push_back(key);
}

int64_t LocalBuckets::Take(const std::vector<std::string>& keys, int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Bucket> states(keys.size(), Bucket{burst_, now_us});
  int64_t wait = 0;
  for (size_t i = 0; i < keys.size(); ++i) {
    auto it = index_.find(keys[i]);
    if (it != index_.end()) {
      states[i] = it->second->second.bucket;
      lru_.splice(lru_.begin(), lru_, it->second);  // used, refused or not
    }
    wait = std::max(wait, Refill(per_second_, burst_, now_us, &states[i]));
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (wait == 0) states[i].tokens -= 1;
    auto it = index_.find(keys[i]);
    if (it == index_.end()) {
      if (wait != 0) continue;
      if (index_.size() >= max_keys_) {
        index_.erase(lru_.back().first);  // its unsynced spending is forgotten with it
        lru_.pop_back();
      }
      lru_.emplace_front(keys[i], State{});
      it = index_.emplace(keys[i], lru_.begin()).first;
    }
    State& state = it->second->second;
    state.bucket = states[i];
    if (!track_spent_) continue;
    if (wait == 0) {
      ++state.spent;
      MarkDirty(keys[i], &state);
    } else if (state.asked_us < 0 || now_us - state.asked_us >= 1000000) {
      state.asked_us = now_us;
      MarkDirty(keys[i], &state);
    }
  }
  return wait;
}

std::vector<LocalBuckets::Spent> LocalBuckets::TakeSpent() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Spent> out;
  out.reserve(dirty_.size());
  for (std::string& key : dirty_) {
    auto it = index_.find(key);
    if (it == index_.end()) continue;  // evicted since
    State& state = it->second->second;
    out.push_back({std::move(key), state.spent});
    state.spent = 0;
    state.dirty = false;
  }
  dirty_.clear();
  return out;
}

void LocalBuckets::Restore(const std::vector<Spent>& spent) {
  std::lock_guard<std::mutex> lock(mu_);
  for (const Spent& s : spent) {
    auto it = index_.find(s.key);
    if (it == index_.end()) continue;
    State& state = it->second->second;
    state.spent += s.tokens;
    MarkDirty(s.key, &state);
  }
}

void LocalBuckets::Adopt(const std::vector<Spent>& spent, const std::vector<double>& levels,
                         int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  for (size_t i = 0; i < spent.size() && i < levels.size(); ++i) {
    auto it = index_.find(spent[i].key);
    if (it == index_.end()) continue;
    State& state = it->second->second;
    // Taken here after the sync read its counts: not in the shared level yet.
    state.bucket.tokens = std::min(burst_, levels[i] - static_cast<double>(state.spent));
    state.bucket.updated_us = std::max(state.bucket.updated_us, now_us);
  }
}

size_t LocalBuckets::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return index_.size();
}

RateLimiter::RateLimiter(RateLimitOptions options, common::RedisPool* redis, Clock clock)
    : options_(options),
      redis_(redis),
      clock_(clock ? std::move(clock) : Clock(SteadyMicros)),
      // From -burst back to full, plus a second: a key expires only when it would be full.
      ttl_ms_(std::to_string(
          static_cast<int64_t>(std::ceil(2 * options.burst * 1000 / options.per_second)) + 1000)),
      per_second_(absl::StrFormat("%.17g", options.per_second)),
      burst_(absl::StrFormat("%.17g", options.burst)),
      local_buckets_(options.per_second, options.burst, options.local_max_keys,
                     /*track_spent=*/redis != nullptr) {}

RateLimiter::~RateLimiter() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (sync_thread_.joinable()) sync_thread_.join();
}

void RateLimiter::StartSync() {
  if (redis_ == nullptr || sync_thread_.joinable()) return;
  sync_thread_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(stop_mu_);
    while (!stop_cv_.wait_for(lock, options_.sync_interval, [this] { return stopping_; })) {
      lock.unlock();
      SyncOnce();
      lock.lock();
    }
  });
}

std::string RateLimiter::AddressKey(absl::string_view peer_address) {
  // Boost prints a scoped IPv6 address with "%zone", which inet_pton refuses.
  const std::string host(peer_address.substr(0, peer_address.find('%')));
  in_addr v4;
  in6_addr v6;
  char text[INET6_ADDRSTRLEN];
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return absl::StrCat(kKeyPrefix, "a:", host);
  if (inet_pton(AF_INET6, host.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
      std::memcpy(&v4, v6.s6_addr + 12, sizeof v4);
      if (inet_ntop(AF_INET, &v4, text, sizeof text) != nullptr) {
        return absl::StrCat(kKeyPrefix, "a:", text);
      }
    }
    std::memset(v6.s6_addr + 8, 0, 8);
    if (inet_ntop(AF_INET6, &v6, text, sizeof text) != nullptr) {
      return absl::StrCat(kKeyPrefix, "a:", text, "/64");
    }
  }
  return absl::StrCat(kKeyPrefix, "a:", peer_address.empty() ? "unknown" : peer_address);
}

std::string RateLimiter::TokenKey(absl::string_view authorization) {
  if (authorization.size() <= 7 || !absl::EqualsIgnoreCase(authorization.substr(0, 7), "Bearer ")) {
    return "";
  }
  const absl::string_view token = authorization.substr(7);
  static const bool sodium_ready = sodium_init() >= 0;  // thread-safe once
  (void)sodium_ready;
  unsigned char digest[16];
  crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size(), nullptr, 0);
  return absl::StrCat(kKeyPrefix, "t:",
                      absl::BytesToHexString(
                          absl::string_view(reinterpret_cast<const char*>(digest), sizeof digest)));
}

std::vector<std::string> RateLimiter::KeysFor(absl::string_view authorization,
                                              absl::string_view peer_address) {
  std::vector<std::string> keys = {AddressKey(peer_address)};
  std::string token_key = TokenKey(authorization);
  if (!token_key.empty()) keys.push_back(std::move(token_key));
  return keys;
}

std::optional<std::vector<double>> RateLimiter::SyncInRedis(
    const std::vector<LocalBuckets::Spent>& spent) {
  std::string sha;
  {
    std::lock_guard<std::mutex> lock(sha_mu_);
    sha = script_sha_;
  }
  std::vector<std::string> counts;
  counts.reserve(spent.size());
  for (const LocalBuckets::Spent& s : spent) counts.push_back(std::to_string(s.tokens));
  const std::string key_count = std::to_string(spent.size());
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (sha.empty()) {
      absl::StatusOr<common::RedisReply> loaded = redis_->Command({"SCRIPT", "LOAD", kSyncScript});
      if (!loaded.ok() || (*loaded)->type != REDIS_REPLY_STRING) return std::nullopt;
      sha.assign((*loaded)->str, (*loaded)->len);
      std::lock_guard<std::mutex> lock(sha_mu_);
      script_sha_ = sha;
    }
    std::vector<absl::string_view> args = {"EVALSHA", sha, key_count};
    for (const LocalBuckets::Spent& s : spent) args.emplace_back(s.key);
    args.insert(args.end(), {per_second_, burst_, ttl_ms_});
    for (const std::string& c : counts) args.emplace_back(c);
    absl::StatusOr<common::RedisReply> reply = redis_->Command(args);
    if (reply.ok()) {
      std::vector<double> levels;
      if (!ParseLevels(**reply, spent.size(), &levels)) {
        common::LogWarning("rate limit sync: unexpected reply from Redis", {});
        return std::nullopt;
      }
      return levels;
    }
    // A restarted or flushed Redis has forgotten the script: load it again, once.
    if (!absl::StrContains(reply.status().message(), "NOSCRIPT")) return std::nullopt;
    sha.clear();
  }
  return std::nullopt;
}

bool RateLimiter::SyncOnce() {
  if (redis_ == nullptr) return false;
  const std::vector<LocalBuckets::Spent> spent = local_buckets_.TakeSpent();
  bool ok = true;
  for (size_t from = 0; from < spent.size(); from += kSyncBatch) {
    const std::vector<LocalBuckets::Spent> batch(
        spent.begin() + from, spent.begin() + std::min(spent.size(), from + kSyncBatch));
    if (!ok) {
      // Not sent: kept for the next sync. (The batch that failed may or may not have been
      // applied by Redis; it is not sent again, so nothing is counted twice.)
      local_buckets_.Restore(batch);
      continue;
    }
    std::optional<std::vector<double>> levels = SyncInRedis(batch);
    if (!levels) {
      ok = false;
      continue;
    }
    local_buckets_.Adopt(batch, *levels, clock_());
  }
  // With nothing to send, whether Redis is there is what the pool last saw.
  if (spent.empty()) ok = redis_->up();
  synced_.store(ok);
  if (ok) syncs_.fetch_add(1, std::memory_order_relaxed);
  return ok;
}

RateDecision RateLimiter::Take(const std::vector<std::string>& keys) {
  RateDecision decision;
  decision.local = !synced_.load(std::memory_order_relaxed);
  if (decision.local) local_.fetch_add(1, std::memory_order_relaxed);
  const int64_t wait = local_buckets_.Take(keys, clock_());
  if (wait > 0) {
    decision.allowed = false;
    decision.retry_after_s = RetryAfterSeconds(wait);
    refused_.fetch_add(1, std::memory_order_relaxed);
  }
  return decision;
}

}  // namespace fangxian::gateway
