// View counting (docs/publicity.md, "View counts"): each read of a live item adds one to
// (item, China day) in this process's memory; a background task moves those counts into
// the shared Redis hash every FX_VIEWS_REDIS_FLUSH_MS, and another moves Redis's counts
// into PostgreSQL (publicity.content_views) every FX_VIEWS_FLUSH_MS, exactly once per
// batch. Each memory batch has an id and is added to Redis at most once (a marker under
// that id); a batch whose outcome is unknown (a timeout, a connection lost after
// sending) stays in memory and is retried to Redis under the same id. Only a batch Redis
// certainly never got (no connection) goes straight to PostgreSQL; when both are down
// the counts stay in memory until one comes back.
#ifndef FANGXIAN_SERVICES_PUBLICITY_VIEW_COUNTER_H_
#define FANGXIAN_SERVICES_PUBLICITY_VIEW_COUNTER_H_

#include <array>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/redis.h"
#include "services/publicity/live_rules.h"

namespace fangxian::publicity {

// Adds one memory batch to the pending hash, once. KEYS: the pending hash, the batch's
// marker (ViewKeys::applied_prefix + batch id). ARGV: the marker's lifetime in ms, then
// (field, count) pairs. Checks every argument before writing anything (an error reply
// means nothing was written), then sets the marker (SET NX PX) and, only when it was not
// set before, adds the counts. Returns 1 when added now, 0 when added before.
extern const char kAddViewsScript[];

class ViewCounter {
 public:
  // `keys`: the Redis keys of the counters (ViewKeysFor(FX_VIEWS_REDIS_KEY)).
  ViewCounter(common::RedisPool& redis, common::PgPool& pg, ViewKeys keys)
      : redis_(redis), pg_(pg), keys_(std::move(keys)) {}

  // One view of `content_id` at `now` (counted for its China day). Never blocks on I/O
  // and takes only the lock of the item's shard: safe on a gRPC thread.
  void Count(absl::string_view content_id, absl::Time now);

  // Memory → Redis: takes the counts in memory as a new batch with its own id, then
  // delivers it and every batch kept from earlier flushes, oldest first. A batch is
  // added to the pending hash by kAddViewsScript (once per id). When Redis certainly did
  // not get it (no connection could be had, or the script refused it before writing),
  // it goes to PostgreSQL under "memory:<id>" (once per id) instead. When the outcome is
  // unknown it is kept for the next flush and from then on retried to Redis only; a
  // batch PostgreSQL may have got is retried to PostgreSQL only. Returns the last
  // failure (the batches are kept: nothing lost).
  absl::Status FlushMemory();

  // Redis → PostgreSQL: renames the pending hash to a new batch key, listed in the set of
  // batches in the same atomic script; then adds every listed batch (its own and any a
  // flusher that died left behind) in one transaction each that records the batch id in
  // publicity.view_batches (a batch already recorded is skipped: counted once), and
  // deletes it from Redis. Also forgets batch ids older than 7 days.
  absl::Status FlushRedis();

  // On shutdown, after the last read: memory → Redis (or PostgreSQL) → PostgreSQL.
  absl::Status FlushAll();

  // Views counted in memory and not yet delivered, kept batches included (for tests and
  // metrics; waits for a flush under way).
  int64_t pending() const;
  // Batches kept in memory after a failed delivery.
  size_t kept_batches() const;

 private:
  using Counts = std::vector<std::pair<std::string, int64_t>>;  // ViewField → views
  // Where a batch may still go: anywhere until a delivery's outcome is unknown, then
  // only where it may already be (its id makes a second delivery there a no-op).
  enum class Route { kAny, kRedisOnly, kPostgresOnly };
  struct Batch {
    std::string id;
    Counts counts;
    Route route = Route::kAny;
  };
  static constexpr size_t kShards = 16;
  struct Shard {
    std::mutex mu;
    absl::flat_hash_map<std::string, int64_t> counts;  // ViewField → views
  };

  // Delivers `batch` (see FlushMemory), updating its route on failure.
  absl::Status Deliver(Batch& batch);
  // Adds `counts` to content_views in one transaction that records `batch_id`; OK
  // without adding anything when the batch was recorded before. Fields that are not
  // ViewFields and items that no longer exist are skipped. `sent`: whether the statement
  // reached PostgreSQL (false when no connection could be had).
  absl::Status AddToPostgres(const std::string& batch_id, const Counts& counts,
                             bool* sent = nullptr);
  // Adds one Redis batch (its key) to PostgreSQL, then deletes it.
  absl::Status MoveBatch(const std::string& key);

  common::RedisPool& redis_;
  common::PgPool& pg_;
  const ViewKeys keys_;
  mutable std::array<Shard, kShards> shards_;  // by content id
  mutable std::mutex flush_mu_;                // one FlushMemory at a time; guards kept_
  std::deque<Batch> kept_;                     // oldest first
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_VIEW_COUNTER_H_
