// View counting (docs/publicity.md, "View counts"): each read of a live item adds one to
// (item, China day) in this process's memory; a background task moves those counts into
// the shared Redis hash every FX_VIEWS_REDIS_FLUSH_MS, and another moves Redis's counts
// into PostgreSQL (publicity.content_views) every FX_VIEWS_FLUSH_MS, exactly once per
// batch. When Redis is down the counts in memory go straight to PostgreSQL; when both
// are down they stay in memory until one comes back.
#ifndef FANGXIAN_SERVICES_PUBLICITY_VIEW_COUNTER_H_
#define FANGXIAN_SERVICES_PUBLICITY_VIEW_COUNTER_H_

#include <cstdint>
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

class ViewCounter {
 public:
  // `keys`: the Redis keys of the counters (ViewKeysFor(FX_VIEWS_REDIS_KEY)).
  ViewCounter(common::RedisPool& redis, common::PgPool& pg, ViewKeys keys)
      : redis_(redis), pg_(pg), keys_(std::move(keys)) {}

  // One view of `content_id` at `now` (counted for its China day). Never blocks on I/O:
  // safe on a gRPC thread.
  void Count(absl::string_view content_id, absl::Time now);

  // Memory → Redis: adds the counts in memory to the pending hash in one atomic script.
  // If Redis fails, adds them to PostgreSQL instead; if that fails too, puts them back
  // (nothing lost) and returns the failure.
  absl::Status FlushMemory();

  // Redis → PostgreSQL: renames the pending hash to a new batch key, listed in the set of
  // batches in the same atomic script; then adds every listed batch (its own and any a
  // flusher that died left behind) in one transaction each that records the batch id in
  // publicity.view_batches (a batch already recorded is skipped: counted once), and
  // deletes it from Redis. Also forgets batch ids older than 7 days.
  absl::Status FlushRedis();

  // On shutdown, after the last read: memory → Redis (or PostgreSQL) → PostgreSQL.
  absl::Status FlushAll();

  // Views counted in memory and not yet flushed (for tests and metrics).
  int64_t pending() const;

 private:
  using Counts = std::vector<std::pair<std::string, int64_t>>;  // ViewField → views

  // Adds `counts` to content_views in one transaction that records `batch_id`; OK
  // without adding anything when the batch was recorded before. Fields that are not
  // ViewFields and items that no longer exist are skipped.
  absl::Status AddToPostgres(const std::string& batch_id, const Counts& counts);
  // Adds one Redis batch (its key) to PostgreSQL, then deletes it.
  absl::Status MoveBatch(const std::string& key);

  common::RedisPool& redis_;
  common::PgPool& pg_;
  const ViewKeys keys_;
  mutable std::mutex mu_;
  absl::flat_hash_map<std::string, int64_t> memory_;  // ViewField → views
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_VIEW_COUNTER_H_
