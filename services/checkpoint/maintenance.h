// The periodic housekeeping of the passage log, on one background thread:
//   1. creates the day partitions of passages from yesterday to two days ahead;
//   2. rolls the figures of each finished day (past the offline-replay window) up into
//      daily_stats, so statistics outlive the personal records;
//   3. purges what is older than the retention window (default 28 days): whole passage
//      partitions are dropped, and idempotency keys and alerts are deleted in batches;
//   4. trims alert events older than the window from the Redis Stream (they carry resident
//      ids and temperatures);
//   5. lets the live counters repair keys that missed increments during a Redis outage.
// Every step is idempotent: running twice, or on two replicas at once, changes nothing more.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_MAINTENANCE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_MAINTENANCE_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/redis.h"

namespace fangxian::checkpoint {

class PassageMaintenance {
 public:
  struct Options {
    int retention_days = 28;                   // FX_PASSAGE_RETENTION_DAYS (7..3650)
    absl::Duration interval = absl::Hours(1);  // FX_MAINTENANCE_INTERVAL_S
    int max_replay_hours = 72;                 // days stay open to late records this long
    std::string alert_stream = "fx:checkpoint:v1:alerts";  // alert_writer.h kAlertStreamKey
  };
  struct Report {
    int partitions_dropped = 0;
    int days_rolled_up = 0;
    int64_t requests_deleted = 0;
    int64_t alerts_deleted = 0;
    bool stream_trimmed = false;  // false also when there is no Redis to trim
  };

  // `redis` (optional) holds the alert stream to trim; `after_run` (optional) runs after
  // each pass (the live counters' repair).
  PassageMaintenance(common::PgPool& pg, common::RedisPool* redis, Options options,
                     std::function<void()> after_run = {});
  ~PassageMaintenance();

  // One pass at time `now`. Stops at the first failing step (the next pass retries).
  absl::StatusOr<Report> RunOnce(absl::Time now);

  // Runs a pass now and then every `interval` on a background thread, until Stop().
  void Start();
  void Stop();

 private:
  absl::Status EnsurePartitions(absl::Time now);
  absl::StatusOr<int> RollUp(absl::Time now);
  absl::StatusOr<int> DropOldPartitions(absl::Time cutoff);
  absl::StatusOr<int64_t> DeleteInBatches(const char* table, const char* time_column,
                                          absl::Time cutoff);

  common::PgPool& pg_;
  common::RedisPool* redis_;
  const Options options_;
  std::function<void()> after_run_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_MAINTENANCE_H_
