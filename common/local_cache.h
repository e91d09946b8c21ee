// A small in-process cache with per-entry expiry, sharded to keep lock hold times short.
// For values that are cheap to keep and safe to serve until they expire: verified access
// tokens (immutable), and hot summaries whose short TTL bounds their staleness. Bounded:
// a shard that fills up is cleared (the next lookups just miss).
#ifndef FANGXIAN_COMMON_LOCAL_CACHE_H_
#define FANGXIAN_COMMON_LOCAL_CACHE_H_

#include <array>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"

namespace fangxian::common {

template <typename V>
class LocalCache {
 public:
  explicit LocalCache(size_t max_entries)
      : max_per_shard_(std::max<size_t>(1, max_entries / kShards)) {}

  // The value stored under `key`, unless absent or expired at `now`.
  std::optional<V> Find(absl::string_view key, absl::Time now) const {
    Shard& shard = ShardFor(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) return std::nullopt;
    if (it->second.second <= now) {
      shard.map.erase(it);
      return std::nullopt;
    }
    return it->second.first;
  }

  void Insert(absl::string_view key, V value, absl::Time expires) {
    Shard& shard = ShardFor(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    if (shard.map.size() >= max_per_shard_) shard.map.clear();
    shard.map.insert_or_assign(std::string(key), std::make_pair(std::move(value), expires));
  }

  void Erase(absl::string_view key) {
    Shard& shard = ShardFor(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.map.erase(key);
  }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    absl::flat_hash_map<std::string, std::pair<V, absl::Time>> map;
  };
  Shard& ShardFor(absl::string_view key) const {
    return shards_[absl::Hash<absl::string_view>()(key) % kShards];
  }

  const size_t max_per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_LOCAL_CACHE_H_
