// An in-process cache whose misses are filled once: callers asking for the same key
// while a fill is under way wait for its result instead of each reading the database
// (a burst on a cold or just-expired entry costs one query, not one per caller).
// InvalidateAll makes every entry stale at once; a fill begun before it neither serves
// callers arriving after it nor stores its result.
#ifndef FANGXIAN_SERVICES_PUBLICITY_FLIGHT_CACHE_H_
#define FANGXIAN_SERVICES_PUBLICITY_FLIGHT_CACHE_H_

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/local_cache.h"

namespace fangxian::publicity {

// `V` is cheap to copy (a shared_ptr to the answer). A default-constructed V stands for
// "the fill failed" (it threw); callers treat it as an internal error.
template <typename V>
class FlightCache {
 public:
  // What a fill produced: the value, and until when it may be served (std::nullopt or a
  // time not after the fill's `now`: handed to the waiting callers, not stored).
  struct Filled {
    V value;
    std::optional<absl::Time> expires;
  };

  explicit FlightCache(size_t max_entries) : entries_(max_entries) {}

  // The value stored under `key`, fresh at `now` and stored since the last InvalidateAll.
  // Never blocks on a fill (safe on a gRPC thread).
  std::optional<V> Find(absl::string_view key, absl::Time now) const {
    std::optional<Entry> e = entries_.Find(key, now);
    if (!e || e->generation != generation_.load(std::memory_order_acquire)) return std::nullopt;
    return e->value;
  }

  // Find, or else the result of `fill()` (returning Filled), run by one caller per key
  // at a time while the others wait for it. Blocking: call from worker threads.
  template <typename Fill>
  V GetOrFill(const std::string& key, absl::Time now, Fill fill) {
    if (std::optional<V> hit = Find(key, now)) return *std::move(hit);
    const uint64_t generation = generation_.load(std::memory_order_acquire);
    const std::string flight_key = absl::StrCat(generation, "\n", key);
    std::shared_ptr<Flight> flight;
    bool leader = false;
    {
      std::lock_guard<std::mutex> lock(mu_);
      std::shared_ptr<Flight>& slot = flights_[flight_key];
      if (!slot) {
        slot = std::make_shared<Flight>();
        leader = true;
      }
      flight = slot;
    }
    if (!leader) {
      std::unique_lock<std::mutex> lock(flight->mu);
      flight->cv.wait(lock, [&flight] { return flight->done; });
      return flight->value;
    }
    Filled filled;
    try {
      filled = fill();
    } catch (...) {
      Land(flight_key, *flight, V());
      throw;
    }
    if (filled.expires && *filled.expires > now &&
        generation == generation_.load(std::memory_order_acquire)) {
      entries_.Insert(key, Entry{generation, filled.value}, *filled.expires);
    }
    Land(flight_key, *flight, filled.value);
    return filled.value;
  }

  // Every entry stored so far becomes stale.
  void InvalidateAll() { generation_.fetch_add(1, std::memory_order_acq_rel); }

 private:
  struct Entry {
    uint64_t generation = 0;
    V value;
  };
  struct Flight {
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;
    V value;
  };

  // Hands `value` to the callers waiting on `flight` and forgets the flight.
  void Land(const std::string& flight_key, Flight& flight, V value) {
    {
      std::lock_guard<std::mutex> lock(flight.mu);
      flight.value = std::move(value);
      flight.done = true;
    }
    flight.cv.notify_all();
    std::lock_guard<std::mutex> lock(mu_);
    flights_.erase(flight_key);
  }

  common::LocalCache<Entry> entries_;
  std::atomic<uint64_t> generation_{0};
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_FLIGHT_CACHE_H_
