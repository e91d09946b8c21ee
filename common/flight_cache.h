// In-process caches whose misses are filled once: callers asking for the same key while a
// fill is under way wait for its result (until their call's deadline) instead of each
// reading the database, so a burst on a cold or just-expired entry costs one query, not
// one per caller. Per replica.
//
// FlightCache<V>: the general form (public reads of live publicity content); each fill
// says how long its value may be served. AnswerCache<T>: answers of expensive read-only
// questions (statistics) kept a fixed `ttl`, failures never kept. Authorisation stays the
// caller's, on every call: only the answer is shared, keyed by the question.
#ifndef FANGXIAN_COMMON_FLIGHT_CACHE_H_
#define FANGXIAN_COMMON_FLIGHT_CACHE_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/local_cache.h"

namespace fangxian::common {

// InvalidateAll makes every entry stale at once; a fill begun before it neither serves
// callers arriving after it nor stores its result. `V` is cheap to copy (a shared_ptr to
// the answer).
template <typename V>
class FlightCache {
 public:
  using Deadline = std::chrono::system_clock::time_point;

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

  // Find, or else the result of `fill()` (returning Filled), run by one caller per key at
  // a time while the others wait for it, each until its `deadline` (the call's):
  // DEADLINE_EXCEEDED for a waiter whose deadline passes first, INTERNAL for the waiters
  // of a fill that threw (the filling caller gets the exception). Blocking: call from
  // worker threads.
  template <typename Fill>
  absl::StatusOr<V> GetOrFill(const std::string& key, absl::Time now, Deadline deadline,
                              Fill fill) {
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
      if (!flight->cv.wait_until(lock, deadline, [&flight] { return flight->done; })) {
        return absl::DeadlineExceededError(
            "deadline passed while waiting for the same read by another caller; retry");
      }
      if (!flight->value) return absl::InternalError("internal error");
      return *flight->value;
    }
    Filled filled;
    try {
      filled = fill();
    } catch (...) {
      Land(flight_key, *flight, std::nullopt);
      throw;
    }
    if (filled.expires && *filled.expires > now &&
        generation == generation_.load(std::memory_order_acquire)) {
      entries_.Insert(key, Entry{generation, filled.value}, *filled.expires);
    }
    Land(flight_key, *flight, filled.value);
    return std::move(filled.value);
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
    std::optional<V> value;  // std::nullopt: the fill threw
  };

  // Hands `value` to the callers waiting on `flight` and forgets the flight.
  void Land(const std::string& flight_key, Flight& flight, std::optional<V> value) {
    {
      std::lock_guard<std::mutex> lock(flight.mu);
      flight.value = std::move(value);
      flight.done = true;
    }
    flight.cv.notify_all();
    std::lock_guard<std::mutex> lock(mu_);
    flights_.erase(flight_key);
  }

  LocalCache<Entry> entries_;
  std::atomic<uint64_t> generation_{0};
  std::mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<Flight>> flights_;
};

// A FlightCache of fallible answers kept `ttl` after they were computed; failures are
// handed to the callers waiting for them but never kept.
template <typename T>
class AnswerCache {
 public:
  // `ttl` zero or negative: nothing is kept (callers asking at the same moment still
  // share one computation).
  explicit AnswerCache(absl::Duration ttl, size_t max_entries = 1024)
      : ttl_(ttl), answers_(max_entries) {}

  // The answer kept under `key` at `now`, else `compute()`'s (a StatusOr<T>), kept until
  // now + ttl when it succeeded. DEADLINE_EXCEEDED when `deadline` passes while another
  // caller computes the same answer.
  template <typename Compute>
  absl::StatusOr<T> Get(const std::string& key, absl::Time now,
                        std::chrono::system_clock::time_point deadline, Compute compute) {
    using Answer = std::shared_ptr<const absl::StatusOr<T>>;
    absl::StatusOr<Answer> answer =
        answers_.GetOrFill(key, now, deadline, [&]() -> typename FlightCache<Answer>::Filled {
          auto out = std::make_shared<const absl::StatusOr<T>>(compute());
          std::optional<absl::Time> expires;
          if (out->ok()) expires = now + ttl_;
          return {std::move(out), expires};
        });
    if (!answer.ok()) return answer.status();
    return **answer;
  }

 private:
  const absl::Duration ttl_;
  FlightCache<std::shared_ptr<const absl::StatusOr<T>>> answers_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_FLIGHT_CACHE_H_
