#include "services/quarantine/pass_colour_engine.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "fangxian/quarantine/v1/events.pb.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/pass_status.h"

namespace fangxian::quarantine {
namespace {

constexpr size_t kMaxReasons = 20;  // a person has at most 7 kinds of reason; a bound

std::string Day(absl::CivilDay d) { return common::IsoDate(d); }

std::string ClockTime(absl::Time t) {
  return absl::FormatTime("%H:%M", t, common::ChinaTimeZone());
}

absl::CivilDay DayOf(absl::Time t) { return absl::ToCivilDay(t, common::ChinaTimeZone()); }

class Reasons {
 public:
  void Red(std::string code, std::string detail) {
    red_.emplace_back(std::move(code), std::move(detail));
  }
  void Yellow(std::string code, std::string detail) {
    yellow_.emplace_back(std::move(code), std::move(detail));
  }
  void Area(const std::string& area) {
    if (area_.empty()) area_ = area;
  }
  void ReviewAt(absl::Time t) {
    if (!next_ || t < *next_) next_ = t;
  }
  ColourDecision Done() && {
    ColourDecision d;
    d.colour = !red_.empty()      ? v1::PASS_COLOUR_RED
               : !yellow_.empty() ? v1::PASS_COLOUR_YELLOW
                                  : v1::PASS_COLOUR_GREEN;
    d.reasons = std::move(red_);
    for (auto& r : yellow_) d.reasons.push_back(std::move(r));
    if (d.reasons.size() > kMaxReasons) d.reasons.resize(kMaxReasons);
    d.area_code = std::move(area_);
    d.next_review_at = next_;
    return d;
  }

 private:
  std::vector<std::pair<std::string, std::string>> red_, yellow_;
  std::string area_;
  std::optional<absl::Time> next_;
};

// Missed check-ins under an order that has started: the slot before the current one is
// missed when it was owed (SlotOwed: a household is not in default for a slot that was
// under way when the order was made) and no check-in came since it began. A late
// check-in clears it (the non-reporting list, by contrast, counts each slot of a day).
void CheckInDue(const ColourFacts::Order& o, absl::Time start, absl::Time now, Reasons& out) {
  const CheckInSlot current = SlotAt(now, o.checkins_per_day);
  out.ReviewAt(current.end);
  const CheckInSlot previous = SlotAt(current.start - absl::Nanoseconds(1), o.checkins_per_day);
  if (!SlotOwed(previous, start, o.created_at)) return;
  if (o.last_check_in && *o.last_check_in >= previous.start) return;
  out.Yellow("missed_check_ins",
             absl::StrCat("no health check-in between ", ClockTime(previous.start), " and ",
                          ClockTime(previous.end), " on ", Day(previous.day)));
}

}  // namespace

CheckInSlot SlotAt(absl::Time t, int per_day) {
  per_day = std::clamp(per_day, 1, 24);
  CheckInSlot s;
  s.day = DayOf(t);
  const absl::Time midnight = common::ChinaDayStart(s.day);
  const absl::Duration length = absl::Hours(24) / per_day;
  absl::Duration into_slot;  // IDivDuration writes the remainder; it must not be null
  s.slot = static_cast<int>(
      std::min<int64_t>(absl::IDivDuration(t - midnight, length, &into_slot), per_day - 1));
  s.start = midnight + length * s.slot;
  s.end = s.slot == per_day - 1 ? common::ChinaDayStart(s.day + 1) : s.start + length;
  return s;
}

bool SlotOwed(const CheckInSlot& slot, absl::Time order_start, absl::Time created_at) {
  return slot.start >= std::max(order_start, created_at);
}

ColourDecision DecideColour(const ColourFacts& facts, absl::Time now, const ColourRules& rules) {
  Reasons out;
  for (const ColourFacts::Order& o : facts.orders) {
    const absl::Time start = common::ChinaDayStart(o.start_date);
    if (now < start) {
      out.ReviewAt(start);  // turns red when it starts
      continue;
    }
    out.Red("isolation_order", absl::StrCat("home isolation since ", Day(o.start_date),
                                            ", due for release on ", Day(o.end_date)));
    out.Area(o.area_code);
    CheckInDue(o, start, now, out);
  }
  for (const ColourFacts::Violation& v : facts.violations) {
    out.Red("violation", absl::StrCat("confirmed violation on ", Day(DayOf(v.confirmed_at))));
    out.Area(v.area_code);
  }
  for (const ColourFacts::Episode& e : facts.episodes) {
    std::optional<absl::CivilDay> from;
    const char* code = "";
    if (e.category == v1::CATEGORY_RETURNEE) {
      from = e.arrival_date;
      code = "returnee_window";
    } else if (e.category == v1::CATEGORY_CLOSE_CONTACT) {
      from = e.contact_date;
      code = "contact_window";
    } else if (e.category == v1::CATEGORY_FEVER_REFERRAL) {
      out.Yellow("fever_referral", e.referred_at ? absl::StrCat("referred by a checkpoint on ",
                                                                Day(DayOf(*e.referred_at)))
                                                 : "referred by a checkpoint");
      out.Area(e.area_code);
      continue;
    }
    if (!from) continue;
    const absl::CivilDay until = *from + rules.observation_days;
    const absl::Time end = common::ChinaDayStart(until);
    if (now >= end) continue;
    out.ReviewAt(end);
    out.Area(e.area_code);
    if (e.category == v1::CATEGORY_RETURNEE) {
      out.Yellow(code,
                 absl::StrCat("returned", e.origin_region.empty() ? "" : " from ", e.origin_region,
                              " on ", Day(*from), "; under observation until ", Day(until)));
    } else {
      out.Yellow(code, absl::StrCat("close contact on ", Day(*from), "; under observation until ",
                                    Day(until)));
    }
  }
  if (facts.open_follow_up_since) {
    out.Yellow("follow_up",
               absl::StrCat("abnormal health check-in on ", Day(DayOf(*facts.open_follow_up_since)),
                            "; awaiting follow-up"));
    out.Area(facts.follow_up_area);
  }
  return std::move(out).Done();
}

namespace {

// Reads the facts of `ids` (sorted, distinct) in one statement per table.
absl::Status ReadFacts(common::PgConn& tx, const std::string& id_array,
                       absl::flat_hash_map<std::string, ColourFacts>& facts) {
  auto micros = [](absl::string_view s) {
    int64_t v = 0;
    (void)absl::SimpleAtoi(s, &v);
    return absl::FromUnixMicros(v);
  };
  auto day = [](absl::string_view s) {
    absl::CivilDay d;
    (void)common::ParseIsoDate(s, &d);
    return d;
  };
  auto orders = tx.Exec(
      "SELECT m.resident_id::text, o.order_id::text, o.area_code, o.start_date::text, "
      "o.end_date::text, o.checkins_per_day, (extract(epoch from o.created_at) * 1e6)::int8, "
      "(SELECT (extract(epoch from max(c.checked_at)) * 1e6)::int8 FROM quarantine.check_ins c "
      " WHERE c.order_id = o.order_id AND c.resident_id = m.resident_id) "
      "FROM quarantine.isolation_order_members m "
      "JOIN quarantine.isolation_orders o USING (order_id) "
      "WHERE m.resident_id = ANY($1::uuid[]) AND o.released_at IS NULL "
      "ORDER BY o.start_date, o.order_id",
      {id_array});
  if (!orders.ok()) return orders.status();
  for (int i = 0; i < orders->rows(); ++i) {
    ColourFacts::Order o;
    o.order_id = std::string(orders->Get(i, 1));
    o.area_code = std::string(orders->Get(i, 2));
    o.start_date = day(orders->Get(i, 3));
    o.end_date = day(orders->Get(i, 4));
    (void)absl::SimpleAtoi(orders->Get(i, 5), &o.checkins_per_day);
    o.created_at = micros(orders->Get(i, 6));
    if (!orders->IsNull(i, 7)) o.last_check_in = micros(orders->Get(i, 7));
    facts[orders->Get(i, 0)].orders.push_back(std::move(o));
  }
  auto episodes = tx.Exec(
      "SELECT resident_id::text, category, area_code, COALESCE(arrival_date::text, ''), "
      "COALESCE(contact_date::text, ''), "
      "COALESCE((extract(epoch from referred_at) * 1e6)::int8::text, ''), origin_region "
      "FROM quarantine.persons_of_interest "
      "WHERE resident_id = ANY($1::uuid[]) AND closed_at IS NULL ORDER BY created_at, person_id",
      {id_array});
  if (!episodes.ok()) return episodes.status();
  for (int i = 0; i < episodes->rows(); ++i) {
    ColourFacts::Episode e;
    int category = 0;
    (void)absl::SimpleAtoi(episodes->Get(i, 1), &category);
    e.category = static_cast<v1::Category>(category);
    e.area_code = std::string(episodes->Get(i, 2));
    if (!episodes->Get(i, 3).empty()) e.arrival_date = day(episodes->Get(i, 3));
    if (!episodes->Get(i, 4).empty()) e.contact_date = day(episodes->Get(i, 4));
    if (!episodes->Get(i, 5).empty()) e.referred_at = micros(episodes->Get(i, 5));
    e.origin_region = std::string(episodes->Get(i, 6));
    facts[episodes->Get(i, 0)].episodes.push_back(std::move(e));
  }
  auto violations = tx.Exec(
      "SELECT resident_id::text, kind, area_code, "
      "(extract(epoch from COALESCE(confirmed_at, recorded_at)) * 1e6)::int8 "
      "FROM quarantine.violations WHERE resident_id = ANY($1::uuid[]) AND status = 2 "
      "ORDER BY recorded_at, violation_id",
      {id_array});
  if (!violations.ok()) return violations.status();
  for (int i = 0; i < violations->rows(); ++i) {
    ColourFacts::Violation v;
    (void)absl::SimpleAtoi(violations->Get(i, 1), &v.kind);
    v.area_code = std::string(violations->Get(i, 2));
    v.confirmed_at = micros(violations->Get(i, 3));
    facts[violations->Get(i, 0)].violations.push_back(std::move(v));
  }
  auto flags = tx.Exec(
      "SELECT resident_id::text, (extract(epoch from raised_at) * 1e6)::int8, area_code "
      "FROM quarantine.follow_up_flags WHERE resident_id = ANY($1::uuid[]) AND cleared_at IS NULL",
      {id_array});
  if (!flags.ok()) return flags.status();
  for (int i = 0; i < flags->rows(); ++i) {
    ColourFacts& f = facts[flags->Get(i, 0)];
    f.open_follow_up_since = micros(flags->Get(i, 1));
    f.follow_up_area = std::string(flags->Get(i, 2));
  }
  return absl::OkStatus();
}

std::string ChangedEventJson(const std::string& resident_id, v1::PassColour previous,
                             const ColourDecision& d, absl::Time now) {
  v1::PassStatusChangedEvent e;
  e.set_resident_id(resident_id);
  e.set_colour(d.colour);
  e.set_previous_colour(previous);
  *e.mutable_change_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(e, &out, options);
  return out;
}

}  // namespace

absl::StatusOr<std::vector<PassChange>> PassColourEngine::Recompute(
    common::PgConn& tx, std::vector<std::string> resident_ids, absl::Time now) const {
  for (const std::string& id : resident_ids) {
    if (absl::Status s = common::RequireUuid("resident_id", id); !s.ok()) return s;
  }
  std::sort(resident_ids.begin(), resident_ids.end());
  resident_ids.erase(std::unique(resident_ids.begin(), resident_ids.end()), resident_ids.end());
  std::vector<PassChange> changes;
  if (resident_ids.empty()) return changes;
  const std::string id_array = common::PgTextArray(resident_ids);
  const std::string when = common::Rfc3339Micros(now);

  // Lock each person's row, in id order: facts read after the lock include every change
  // committed by a transaction that recomputed the same person before us.
  auto created = tx.Exec(
      "INSERT INTO quarantine.pass_status (resident_id, colour, updated_at) "
      "SELECT id, 1, $2::timestamptz FROM unnest($1::uuid[]) AS id ORDER BY id "
      "ON CONFLICT (resident_id) DO NOTHING",
      {id_array, when});
  if (!created.ok()) return created.status();
  auto current = tx.Exec(
      "SELECT resident_id::text, colour, array_to_string(reason_codes, ',') "
      "FROM quarantine.pass_status WHERE resident_id = ANY($1::uuid[]) "
      "ORDER BY resident_id FOR UPDATE",
      {id_array});
  if (!current.ok()) return current.status();
  absl::flat_hash_map<std::string, std::pair<int, std::string>> before;
  for (int i = 0; i < current->rows(); ++i) {
    int colour = 0;
    (void)absl::SimpleAtoi(current->Get(i, 1), &colour);
    before[current->Get(i, 0)] = {colour, std::string(current->Get(i, 2))};
  }

  absl::flat_hash_map<std::string, ColourFacts> facts;
  if (absl::Status s = ReadFacts(tx, id_array, facts); !s.ok()) return s;

  for (const std::string& id : resident_ids) {
    ColourFacts& f = facts[id];
    f.resident_id = id;
    const ColourDecision d = DecideColour(f, now, rules_);
    std::vector<std::string> codes, details;
    for (const auto& [code, detail] : d.reasons) {
      codes.push_back(code);
      details.push_back(detail);
    }
    const auto& [old_colour, old_codes] = before[id];
    auto w = tx.Exec(
        "UPDATE quarantine.pass_status SET colour = $2, reason_codes = $3::text[], "
        "reason_details = $4::text[], area_code = $5, next_review_at = $6::timestamptz, "
        "updated_at = CASE WHEN colour = $2 THEN updated_at ELSE $7::timestamptz END "
        "WHERE resident_id = $1",
        {id, std::to_string(static_cast<int>(d.colour)), common::PgTextArray(codes),
         common::PgTextArray(details), d.area_code,
         d.next_review_at ? common::PgParam(common::Rfc3339Micros(*d.next_review_at))
                          : common::PgParam(),
         when});
    if (!w.ok()) return w.status();
    const auto previous = static_cast<v1::PassColour>(old_colour);
    if (previous == d.colour && old_codes == absl::StrJoin(codes, ",")) continue;
    changes.push_back(PassChange{id, previous, d.colour});
    // The event (and the Redis entry the relay writes with it) carries the colour only:
    // reasons are health data, read with GetPassStatus by those allowed to.
    if (previous == d.colour) continue;
    auto e = tx.Exec("INSERT INTO quarantine.outbox (event_type, payload) VALUES ($1, $2)",
                     {kPassStatusChangedEvent, ChangedEventJson(id, previous, d, now)});
    if (!e.ok()) return e.status();
  }
  return changes;
}

void PassColourEngine::Published(const std::vector<PassChange>& changes) const {
  // Every change wrote an outbox row: the relay takes it from there.
  if (on_published_ && !changes.empty()) on_published_(changes);
}

absl::StatusOr<int> PassColourEngine::ReviewDue(common::PgPool& pg, absl::Time now,
                                                int limit) const {
  int looked_at = 0;
  std::vector<PassChange> changes;
  absl::Status s = pg.Transaction([&](common::PgConn& tx) -> absl::Status {
    auto due = tx.Exec(
        "SELECT resident_id::text FROM quarantine.pass_status "
        "WHERE next_review_at <= $1::timestamptz ORDER BY next_review_at LIMIT $2 "
        "FOR UPDATE SKIP LOCKED",
        {common::Rfc3339Micros(now), std::to_string(limit)});
    if (!due.ok()) return due.status();
    std::vector<std::string> ids;
    for (int i = 0; i < due->rows(); ++i) ids.emplace_back(due->Get(i, 0));
    looked_at = static_cast<int>(ids.size());
    if (ids.empty()) return absl::OkStatus();
    auto ch = Recompute(tx, std::move(ids), now);
    if (!ch.ok()) return ch.status();
    changes = *std::move(ch);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  Published(changes);
  return looked_at;
}

absl::Status RefreshCachedColour(common::RedisPool& redis, common::PgConn& conn,
                                 const common::OutboxRelay::Row& row) {
  if (row.event_type != kPassStatusChangedEvent) return absl::OkStatus();
  v1::PassStatusChangedEvent e;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  if (!google::protobuf::util::JsonStringToMessage(std::string(row.payload), &e, options).ok()) {
    return absl::OkStatus();  // not ours to repair: publish it as it is
  }
  // The colour as committed now, not as the event saw it: relays on two replicas may take
  // the events of one person out of order, and the entry must end at the latest colour.
  // FOR SHARE, held until the relay commits (after the SET): a change committing after
  // this read waits for it, so its own event is relayed later and SETs last. Without the
  // lock, a relay on another replica could read the newer colour and SET it first, and
  // this older one would land on top.
  auto r = conn.Exec("SELECT colour FROM quarantine.pass_status WHERE resident_id = $1 FOR SHARE",
                     {e.resident_id()});
  if (!r.ok()) return r.status();
  int colour = v1::PASS_COLOUR_GREEN;
  if (r->rows() > 0) (void)absl::SimpleAtoi(r->Get(0, 0), &colour);
  const char* word = PassColourWord(static_cast<v1::PassColour>(colour));
  return redis
      .Command({"SET", PassColourCacheKey(e.resident_id()), word, "PX",
                std::to_string(absl::ToInt64Milliseconds(kPassColourTtl))})
      .status();
}

}  // namespace fangxian::quarantine
