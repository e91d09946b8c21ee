// Today's figures per checkpoint, live, in Redis: one hash per checkpoint and China day,
// incremented after each committed batch of passages. Redis is never the only copy: the
// passages are in PostgreSQL, and a counter that may have missed increments (Redis was
// unreachable when a batch committed) is deleted once Redis answers again, so the next read
// rebuilds it from PostgreSQL. Key contract: docs/caching.md.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_LIVE_COUNTERS_H_
#define FANGXIAN_SERVICES_CHECKPOINT_LIVE_COUNTERS_H_

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/redis.h"
#include "services/checkpoint/passage_store.h"

namespace fangxian::checkpoint {

// One committed passage, as the counters see it.
struct PassageTally {
  std::string checkpoint_id;
  absl::CivilDay day;  // China day of the client time
  bool person = false;
  bool vehicle = false;
  int decision = 0;  // v1::Decision number: 1 admit, 2 deny, 3 refer
  bool fever = false;
};

// The tally of a stored passage (a person when a temperature was taken, a fever from
// 37.3 °C, the day of its client time in China).
PassageTally TallyOf(const PassageRecord& record);

struct Counts {
  int64_t persons = 0;
  int64_t vehicles = 0;
  int64_t admitted = 0;
  int64_t denied = 0;
  int64_t referred = 0;
  int64_t fevers = 0;
};

// "fx:checkpoint:v1:live:<YYYY-MM-DD>:<checkpoint_id>".
std::string LiveCounterKey(absl::CivilDay day, absl::string_view checkpoint_id);

class LiveCounters {
 public:
  struct Options {
    // How late a passage may arrive (FX_PASSAGE_MAX_REPLAY_H): bounds the rebuild's scan.
    absl::Duration max_replay = absl::Hours(72);
    // A rebuilt hash lives this long, then the next read rebuilds it again: whatever a
    // rebuild racing a commit missed heals within it.
    absl::Duration rebuilt_ttl = absl::Seconds(60);
    // After a send, tallies gather this long before the next one: one script call per key
    // per interval instead of one per committed batch. Other replicas see a count this
    // late; this replica's own reads send what is queued first. A rebuild from PostgreSQL
    // already counts the passages whose tallies still wait, so they count twice once sent:
    // up to an interval's worth per rebuild, until the rebuilt hash expires (rebuilt_ttl).
    absl::Duration send_interval = absl::Milliseconds(20);
  };

  LiveCounters(common::RedisPool& redis, common::PgPool& pg, Options options);
  ~LiveCounters();  // sends what is pending

  // After a batch committed: queues the tallies and returns at once; a background thread
  // sends one script call per (checkpoint, day) touched, at most once per send_interval.
  // Never fails the caller; on a Redis failure the keys are remembered for repair.
  void Add(const std::vector<PassageTally>& tallies);
  // Sends what is queued now, on this thread (tests, shutdown, reads); when it returns,
  // every tally queued before the call is in Redis (a send of the flusher in progress is
  // waited for).
  void Flush();

  // Counts of `day` for `checkpoint_id`: from Redis (after sending this replica's queued
  // tallies), or rebuilt from PostgreSQL when the hash is missing or awaiting repair (and
  // written back). UNAVAILABLE only when neither
  // Redis nor PostgreSQL can answer.
  absl::StatusOr<Counts> Get(absl::string_view checkpoint_id, absl::CivilDay day);

  // Deletes the keys that missed increments, if Redis answers now (called periodically).
  void Repair();

 private:
  absl::StatusOr<Counts> Rebuild(absl::string_view checkpoint_id, absl::CivilDay day);
  void Send(std::map<std::string, Counts> by_key);
  void FlusherLoop();

  common::RedisPool& redis_;
  common::PgPool& pg_;
  const Options options_;
  std::mutex mu_;
  std::set<std::string> dirty_;  // keys that may have missed increments
  // Held by whoever takes queued_ and sends it (the flusher, or Flush), so that Flush
  // returns only once every tally queued before it is in Redis. Taken before queue_mu_.
  std::mutex send_mu_;
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::map<std::string, Counts> queued_;  // key -> increments not sent yet
  bool stopping_ = false;
  bool flusher_idle_ = false;  // waiting for tallies (not pausing between sends): wake it
  std::thread flusher_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_LIVE_COUNTERS_H_
