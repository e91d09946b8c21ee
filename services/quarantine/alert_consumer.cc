#include "services/quarantine/alert_consumer.h"

#include <optional>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/checkpoint/v1/alerts.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"

namespace fangxian::quarantine {
namespace {

constexpr char kFever[] = "checkpoint.alert.fever";
constexpr char kRedPass[] = "checkpoint.alert.red_pass";
// created_by / recorded_by of what an event creates: no staff member did it.
constexpr char kEventActor[] = "event:checkpoint";

std::string Str(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS)
             ? std::string(r->str, r->len)
             : std::string();
}

struct Entry {
  std::string id;
  std::string type;
  std::string payload;
};

// [[id, [field, value, ...]], ...] (entries with a nil body — deleted by trimming while
// pending — come back with no fields).
void AppendEntries(const redisReply* list, std::vector<Entry>& out) {
  for (size_t i = 0; list != nullptr && list->type == REDIS_REPLY_ARRAY && i < list->elements;
       ++i) {
    const redisReply* e = list->element[i];
    if (e->type != REDIS_REPLY_ARRAY || e->elements < 1) continue;
    Entry entry{Str(e->element[0]), "", ""};
    const redisReply* fields = e->elements > 1 ? e->element[1] : nullptr;
    for (size_t f = 0;
         fields != nullptr && fields->type == REDIS_REPLY_ARRAY && f + 1 < fields->elements;
         f += 2) {
      const std::string name = Str(fields->element[f]);
      if (name == "type") entry.type = Str(fields->element[f + 1]);
      if (name == "payload") entry.payload = Str(fields->element[f + 1]);
    }
    out.push_back(std::move(entry));
  }
}

bool IsNoGroup(const absl::Status& s) { return absl::StrContains(s.message(), "NOGROUP"); }

}  // namespace

AlertConsumer::AlertConsumer(common::PgPool& pg, common::RedisPool& redis,
                             const PassColourEngine& colours, Options options,
                             std::function<absl::Time()> clock)
    : pg_(pg),
      redis_(redis),
      colours_(colours),
      options_(std::move(options)),
      clock_(std::move(clock)) {}

absl::Status AlertConsumer::EnsureGroup() {
  if (group_ready_) return absl::OkStatus();
  // From the stream's start: after a Redis restart lost the group, whatever the stream
  // holds may not have been handled; consumed_events makes the repeats harmless.
  auto r = redis_.Command({"XGROUP", "CREATE", options_.stream, options_.group, "0", "MKSTREAM"});
  if (!r.ok() && !absl::StrContains(r.status().message(), "BUSYGROUP")) return r.status();
  group_ready_ = true;
  return absl::OkStatus();
}

absl::StatusOr<int> AlertConsumer::PollOnce() {
  if (absl::Status s = EnsureGroup(); !s.ok()) return s;
  const std::string count = std::to_string(options_.batch);
  std::vector<Entry> entries;
  auto claimed = redis_.Command({"XAUTOCLAIM", options_.stream, options_.group, options_.consumer,
                                 std::to_string(absl::ToInt64Milliseconds(options_.reclaim_idle)),
                                 "0-0", "COUNT", count});
  if (!claimed.ok()) {
    if (IsNoGroup(claimed.status())) group_ready_ = false;
    return claimed.status();
  }
  // [next-id, [[id, fields], ...], [deleted ids]]
  if ((*claimed)->type == REDIS_REPLY_ARRAY && (*claimed)->elements >= 2) {
    AppendEntries((*claimed)->element[1], entries);
  }
  auto fresh = redis_.Command({"XREADGROUP", "GROUP", options_.group, options_.consumer, "COUNT",
                               count, "STREAMS", options_.stream, ">"});
  if (!fresh.ok()) {
    if (IsNoGroup(fresh.status())) group_ready_ = false;
    return fresh.status();
  }
  // [[stream, [[id, fields], ...]]] or nil
  if ((*fresh)->type == REDIS_REPLY_ARRAY && (*fresh)->elements > 0 &&
      (*fresh)->element[0]->type == REDIS_REPLY_ARRAY && (*fresh)->element[0]->elements >= 2) {
    AppendEntries((*fresh)->element[0]->element[1], entries);
  }

  int settled = 0;
  absl::Status first_error;
  for (const Entry& e : entries) {
    absl::StatusOr<std::string> outcome = Handle(e.type, e.payload);
    if (!outcome.ok()) {
      const int attempts = ++attempts_[e.id];
      // A payload that does not parse never will: parked at once.
      const bool hopeless = absl::IsInvalidArgument(outcome.status());
      if (!hopeless && attempts < options_.max_attempts) {
        if (first_error.ok()) first_error = outcome.status();
        continue;  // stays pending; XAUTOCLAIM brings it back
      }
      if (absl::Status p = Park(e.id, e.type, e.payload, outcome.status().ToString(), attempts);
          !p.ok()) {
        if (first_error.ok()) first_error = p;
        continue;
      }
      common::LogWarning("checkpoint event parked",
                         {{"stream_entry", e.id}, {"type", e.type}, {"attempts", attempts}});
    }
    attempts_.erase(e.id);
    auto ack = redis_.Command({"XACK", options_.stream, options_.group, e.id});
    if (!ack.ok()) return ack.status();  // handled; a redelivery is a duplicate
    ++settled;
  }
  if (!first_error.ok()) return first_error;
  return settled;
}

absl::Status AlertConsumer::Park(const std::string& entry_id, const std::string& type,
                                 const std::string& payload, const std::string& error,
                                 int attempts) {
  checkpoint::v1::AlertEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  (void)google::protobuf::util::JsonStringToMessage(payload, &event, options);
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  return conn
      ->Exec(
          "INSERT INTO quarantine.parked_events (stream_entry_id, stream, event_id, event_type, "
          "payload, error, attempts, parked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
          "$8::timestamptz) ON CONFLICT (stream, stream_entry_id) DO UPDATE SET "
          "error = EXCLUDED.error, attempts = EXCLUDED.attempts, parked_at = EXCLUDED.parked_at",
          {entry_id, options_.stream, event.alert_id(), type, payload, error.substr(0, 1000),
           std::to_string(attempts), common::Rfc3339Micros(clock_())})
      .status();
}

absl::StatusOr<std::string> AlertConsumer::Handle(const std::string& type,
                                                  const std::string& payload) {
  if (type != kFever && type != kRedPass) return std::string("ignored");
  checkpoint::v1::AlertEvent event;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(payload, &event, options).ok() ||
      !common::RequireUuid("alert_id", event.alert_id()).ok()) {
    return absl::InvalidArgumentError("event payload is not a checkpoint AlertEvent");
  }
  const absl::Time now = clock_();
  const std::string when = common::Rfc3339Micros(now);
  // When it happened at the gate: a late delivery is judged by then, not by now.
  const std::string raised =
      event.has_raised_at()
          ? common::Rfc3339Micros(absl::FromUnixMicros(
                google::protobuf::util::TimeUtil::TimestampToMicroseconds(event.raised_at())))
          : when;
  const std::string resident = event.resident_id();
  if (event.area_codes().empty() ||
      !common::RequireAreaPath("area_codes", event.area_codes(0)).ok()) {
    // A referral nobody's scope covers could never be seen or closed.
    return absl::InvalidArgumentError("checkpoint alert without a valid area");
  }
  const std::string area = event.area_codes(0);
  std::string outcome;
  std::vector<PassChange> changes;
  absl::Status s = pg_.Transaction([&](common::PgConn& tx) -> absl::Status {
    changes.clear();
    auto claim = tx.Exec(
        "INSERT INTO quarantine.consumed_events (event_id, event_type, handled_at, outcome) "
        "VALUES ($1, $2, $3::timestamptz, '') ON CONFLICT (event_id) DO NOTHING RETURNING 1",
        {event.alert_id(), type, when});
    if (!claim.ok()) return claim.status();
    if (claim->rows() == 0) {
      outcome = "duplicate";
      return absl::OkStatus();
    }
    if (!common::RequireUuid("resident_id", resident).ok()) {
      outcome = "no_resident";
    } else if (type == kFever) {
      const std::string temperature =
          event.has_temperature_celsius() ? absl::StrCat(event.temperature_celsius()) : "";
      // One open referral per person: a second fever while it is open refreshes it (the
      // latest reading wins; an older alert delivered late does not move it back). One
      // statement, so two replicas handling two fevers of one person cannot collide.
      auto referral = tx.Exec(
          "INSERT INTO quarantine.persons_of_interest AS p (person_id, resident_id, category, "
          "source, area_code, created_at, created_by, referral_alert_id, "
          "referral_checkpoint_id, referral_temperature, referred_at) "
          "VALUES (gen_random_uuid(), $1, 3, 3, $2, $3::timestamptz, $4, $5, "
          "NULLIF($6, '')::uuid, NULLIF($7, '')::numeric, $8::timestamptz) "
          "ON CONFLICT (resident_id, category) WHERE closed_at IS NULL DO UPDATE SET "
          "referral_alert_id = EXCLUDED.referral_alert_id, "
          "referral_checkpoint_id = EXCLUDED.referral_checkpoint_id, "
          "referral_temperature = EXCLUDED.referral_temperature, "
          "referred_at = EXCLUDED.referred_at "
          "WHERE p.referred_at IS NULL OR p.referred_at <= EXCLUDED.referred_at "
          "RETURNING (xmax = 0)",
          {resident, area, when, kEventActor, event.alert_id(), event.checkpoint_id(), temperature,
           raised});
      if (!referral.ok()) return referral.status();
      outcome = referral->rows() > 0 && referral->Get(0, 0) == "t" ? "referral_created"
                                                                   : "referral_refreshed";
      auto ch = colours_.Recompute(tx, {resident}, now);
      if (!ch.ok()) return ch.status();
      changes = *std::move(ch);
    } else {
      // A red pass going out: a violation to review only if an order held the person
      // when it happened.
      auto isolated = tx.Exec(
          "SELECT o.area_code FROM quarantine.isolation_order_members m "
          "JOIN quarantine.isolation_orders o USING (order_id) "
          "WHERE m.resident_id = $1 AND (o.released_at IS NULL OR o.released_at > $2) "
          "AND o.start_date <= ($2::timestamptz AT TIME ZONE 'Asia/Shanghai')::date "
          "ORDER BY o.start_date DESC LIMIT 1",
          {resident, raised});
      if (!isolated.ok()) return isolated.status();
      if (isolated->rows() == 0) {
        outcome = "not_isolated";
      } else {
        auto v = tx.Exec(
            "INSERT INTO quarantine.violations (violation_id, resident_id, area_code, kind, "
            "status, description, source_event_id, recorded_by, recorded_at) "
            "VALUES (gen_random_uuid(), $1, $2, $3, 1, $4, $5, $6, $7::timestamptz) "
            "ON CONFLICT (source_event_id) DO NOTHING",
            {resident, isolated->Get(0, 0), std::to_string(kLeavingIsolationKind),
             "red pass seen going out at a checkpoint (reported automatically; confirm or "
             "close)",
             event.alert_id(), kEventActor, when});
        if (!v.ok()) return v.status();
        outcome = "violation_reported";
      }
    }
    return tx
        .Exec("UPDATE quarantine.consumed_events SET outcome = $2 WHERE event_id = $1",
              {event.alert_id(), outcome})
        .status();
  });
  if (!s.ok()) return s;
  colours_.Published(changes);
  return outcome;
}

}  // namespace fangxian::quarantine
