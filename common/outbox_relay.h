// The outbox relay: a background thread that publishes the rows of a service's outbox
// table (events written in the same transaction as the change they describe; columns
// event_id bigserial, event_type text, payload text) to a Redis Stream, then deletes them.
// Checkpoint relays checkpoint.outbox to `fx:checkpoint:v1:alerts`, quarantine
// quarantine.outbox to `fx:quarantine:v1:events`. Replicas share the work: each batch is
// claimed with FOR UPDATE SKIP LOCKED, so two relays never publish the same row at once.
// Delivery is at least once (a crash between XADD and COMMIT publishes a row again):
// consumers dedupe by the event's own id. While Redis is down rows stay in the outbox and
// go out, in event_id order, once it is back.
#ifndef FANGXIAN_COMMON_OUTBOX_RELAY_H_
#define FANGXIAN_COMMON_OUTBOX_RELAY_H_

#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/redis.h"

namespace fangxian::common {

class OutboxRelay {
 public:
  // One outbox row, as the per-row hook sees it.
  struct Row {
    absl::string_view event_id;
    absl::string_view event_type;
    absl::string_view payload;
  };
  struct Options {
    std::string table;   // schema-qualified outbox table, e.g. "checkpoint.outbox"
    std::string stream;  // Redis Stream key
    // How often the outbox is looked at when nobody calls Notify (FX_OUTBOX_POLL_MS).
    absl::Duration poll = absl::Milliseconds(200);
    int batch = 500;          // rows per transaction
    int64_t maxlen = 100000;  // XADD MAXLEN ~
    // Waits after a failure (Redis or PostgreSQL down) double from `poll` up to this.
    absl::Duration max_backoff = absl::Seconds(2);
    // Runs for each row before it is published, inside the relay's transaction (e.g. to
    // refresh a cache entry the event describes). A failure stops the batch there, like
    // a failed XADD: the row and those after it wait for the next try.
    std::function<absl::Status(PgConn&, const Row&)> before_publish;
  };

  // `active`: the relay works only while it returns true (the service is ready: its
  // database reachable and migrated); null means always.
  OutboxRelay(PgPool& pg, RedisPool& redis, Options options,
              std::function<bool()> active = nullptr);
  ~OutboxRelay();  // Stop()
  OutboxRelay(const OutboxRelay&) = delete;
  OutboxRelay& operator=(const OutboxRelay&) = delete;

  void Start();
  // Finishes the batch in hand and joins the thread.
  void Stop();
  // Wakes the relay at once (call after committing outbox rows).
  void Notify();

  // One batch: publishes up to `batch` rows in event_id order and deletes them, in one
  // transaction. Returns how many were published. A Redis failure part-way deletes the
  // rows already published and returns the failure, so the rest wait for the next try.
  absl::StatusOr<int> RelayOnce();

 private:
  void Loop();

  PgPool& pg_;
  RedisPool& redis_;
  const Options options_;
  const std::function<bool()> active_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  bool notified_ = false;
  std::thread thread_;
};

}  // namespace fangxian::common

#endif  // FANGXIAN_COMMON_OUTBOX_RELAY_H_
