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
    return Find(key, now, absl::ZeroDuration(), nullptr);
  }

  // Find, for values kept warm by refreshing them ahead of their expiry: when the entry
  // expires within `ahead` of `now`, the first caller to see that gets `*refresh` = true
  // (everyone else false, until the entry is replaced) and should fetch the value again
  // and Insert it, in the background, while callers go on being answered from the entry
  // until it expires. So a steady stream of reads of one key never meets a miss, and the
  // staleness bound stays the entry's time to live.
  std::optional<V> Find(absl::string_view key, absl::Time now, absl::Duration ahead,
                        bool* refresh) const {
    if (refresh != nullptr) *refresh = false;
    Shard& shard = ShardFor(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.map.find(key);
    if (it == shard.map.end()) return std::nullopt;
    Entry& entry = it->second;
    if (entry.expires <= now) {
      shard.map.erase(it);
      return std::nullopt;
    }
    if (refresh != nullptr && !entry.refresh_claimed && entry.expires - ahead <= now) {
      entry.refresh_claimed = true;
      *refresh = true;
    }
    return entry.value;
  }

  // Stores `value` until `expires`. Replacing an entry ends its refresh claim only when
  // the new one lives longer: an entry capped at a fixed end (an on-duty answer at its
  // shift's end) is not claimed over and over in its last stretch.
  void Insert(absl::string_view key, V value, absl::Time expires) {
    Shard& shard = ShardFor(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    auto it = shard.map.find(key);
    if (it != shard.map.end()) {
      const bool claimed = it->second.refresh_claimed && expires <= it->second.expires;
      it->second = Entry{std::move(value), expires, claimed};
      return;
    }
    // Full: start over (the next lookups just miss). A replaced key never clears it.
    if (shard.map.size() >= max_per_shard_) shard.map.clear();
    shard.map.emplace(std::string(key), Entry{std::move(value), expires, false});
  }

  void Erase(absl::string_view key) {
    Shard& shard = ShardFor(key);
    std::lock_guard<std::mutex> lock(shard.mu);
    shard.map.erase(key);
  }

 private:
  static constexpr size_t kShards = 16;
  struct Entry {
    V value;
    absl::Time expires;
    bool refresh_claimed;  // a caller is fetching a fresh value to replace this one
  };
  struct Shard {
    std::mutex mu;
    absl::flat_hash_map<std::string, Entry> map;
  };
  Shard& ShardFor(absl::string_view key) const {
    return shards_[absl::Hash<absl::string_view>()(key) % kShards];
  }

  const size_t max_per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_LOCAL_CACHE_H_
