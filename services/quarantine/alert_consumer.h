// Events in (docs/quarantine.md, "Events in"): checkpoint alerts from the Redis Stream
// `fx:checkpoint:v1:alerts`, read with the consumer group "quarantine".
// - checkpoint.alert.fever: a fever referral (person of interest, source CHECKPOINT) for
//   the resident, or the open one refreshed; the colour is recomputed (YELLOW).
// - checkpoint.alert.red_pass: a red pass going out. For someone in an active isolation
//   order a LEAVING_ISOLATION violation is reported (unconfirmed: an officer confirms it).
// Handled once in effect: the alert_id goes into consumed_events in the transaction that
// applies the effect, so a redelivery (after a crash, a failed XACK, or a Redis restart
// that lost the group) changes nothing. An entry is acknowledged only after its
// transaction committed; one that keeps failing (or cannot be parsed) is parked in
// parked_events and acknowledged — kept for an operator, not lost.
#ifndef FANGXIAN_SERVICES_QUARANTINE_ALERT_CONSUMER_H_
#define FANGXIAN_SERVICES_QUARANTINE_ALERT_CONSUMER_H_

#include <functional>
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "common/pg.h"
#include "common/redis.h"
#include "fangxian/quarantine/v1/violations.pb.h"
#include "services/quarantine/pass_colour_engine.h"

namespace fangxian::quarantine {

inline constexpr char kCheckpointAlertStream[] = "fx:checkpoint:v1:alerts";
inline constexpr char kAlertConsumerGroup[] = "quarantine";
// violations.kind of a red pass seen going out.
inline constexpr int kLeavingIsolationKind = v1::VIOLATION_KIND_LEAVING_ISOLATION;

class AlertConsumer {
 public:
  struct Options {
    std::string stream = kCheckpointAlertStream;
    std::string group = kAlertConsumerGroup;
    std::string consumer;  // this replica's name in the group (host name and pid)
    int batch = 100;
    // Entries another consumer (or this one) took but did not acknowledge for this long
    // are claimed again (XAUTOCLAIM): a replica that crashed mid-entry is taken over.
    absl::Duration reclaim_idle = absl::Seconds(30);
    // Attempts before an entry is parked.
    int max_attempts = 5;
  };

  AlertConsumer(common::PgPool& pg, common::RedisPool& redis, const PassColourEngine& colours,
                Options options, std::function<absl::Time()> clock);

  // One round: creates the group if it is missing (first start, or Redis restarted and
  // lost it — then the stream is read from its start), claims stale entries, reads new
  // ones, handles and acknowledges them. Returns how many entries were settled (handled,
  // duplicates, ignored or parked).
  absl::StatusOr<int> PollOnce();

  // Applies one event (the stream entry's `payload`); exposed for tests. Returns the
  // outcome recorded in consumed_events ("referral_created", "referral_refreshed",
  // "violation_reported", "not_isolated", "no_resident", "duplicate", "ignored").
  absl::StatusOr<std::string> Handle(const std::string& type, const std::string& payload);

 private:
  absl::Status EnsureGroup();
  absl::Status Park(const std::string& entry_id, const std::string& type,
                    const std::string& payload, const std::string& error, int attempts);

  common::PgPool& pg_;
  common::RedisPool& redis_;
  const PassColourEngine& colours_;
  const Options options_;
  const std::function<absl::Time()> clock_;
  bool group_ready_ = false;
  absl::flat_hash_map<std::string, int> attempts_;  // entry id -> failed attempts here
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_ALERT_CONSUMER_H_
