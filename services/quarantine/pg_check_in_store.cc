#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/quarantine/check_in_rules.h"
#include "services/quarantine/check_in_store.h"

namespace fangxian::quarantine {
namespace {

// Area codes hold only [a-z0-9.-], so the LIKE pattern needs no escaping.
constexpr char kInArea[] = "(o.area_code = $1 OR o.area_code LIKE $1 || '.%')";

// Every column CheckInFrom reads, in order (c: check_ins, o: isolation_orders).
constexpr char kCheckInColumns[] =
    "c.check_in_id, c.order_id, c.resident_id, (c.temperature_celsius * 10)::int, "
    "array_to_string(c.symptoms, ','), c.abnormal, c.note, c.recorded_by, c.by_resident, "
    "(extract(epoch from c.checked_at) * 1000000)::int8, to_char(c.china_day, 'YYYY-MM-DD'), "
    "c.slot, o.area_code";

// Every column FlagFrom reads, in order.
constexpr char kFlagColumns[] =
    "flag_id, resident_id, area_code, COALESCE(check_in_id::text, ''), "
    "(extract(epoch from raised_at) * 1000000)::int8, "
    "(extract(epoch from cleared_at) * 1000000)::int8, COALESCE(cleared_by, ''), "
    "COALESCE(clear_note, '')";

std::vector<int> IntList(absl::string_view csv) {
  std::vector<int> out;
  for (absl::string_view part : absl::StrSplit(csv, ',', absl::SkipEmpty())) {
    int v = 0;
    if (absl::SimpleAtoi(part, &v)) out.push_back(v);
  }
  return out;
}

int64_t Micros(const common::PgResult& r, int row, int col) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

CheckInRow CheckInFrom(const common::PgResult& r, int i) {
  CheckInRow row;
  row.check_in_id = std::string(r.Get(i, 0));
  row.order_id = std::string(r.Get(i, 1));
  row.resident_id = std::string(r.Get(i, 2));
  (void)absl::SimpleAtoi(r.Get(i, 3), &row.temperature_tenths);
  row.symptoms = IntList(r.Get(i, 4));
  row.abnormal = r.Get(i, 5) == "t";
  row.note = std::string(r.Get(i, 6));
  row.recorded_by = std::string(r.Get(i, 7));
  row.by_resident = r.Get(i, 8) == "t";
  row.checked_at_micros = Micros(r, i, 9);
  (void)common::ParseIsoDate(r.Get(i, 10), &row.china_day);
  (void)absl::SimpleAtoi(r.Get(i, 11), &row.slot);
  row.area_code = std::string(r.Get(i, 12));
  return row;
}

FlagRow FlagFrom(const common::PgResult& r, int i) {
  FlagRow row;
  row.flag_id = std::string(r.Get(i, 0));
  row.resident_id = std::string(r.Get(i, 1));
  row.area_code = std::string(r.Get(i, 2));
  row.check_in_id = std::string(r.Get(i, 3));
  row.raised_at_micros = Micros(r, i, 4);
  if (!r.IsNull(i, 5)) row.cleared_at_micros = Micros(r, i, 5);
  row.cleared_by = std::string(r.Get(i, 6));
  row.clear_note = std::string(r.Get(i, 7));
  return row;
}

}  // namespace

absl::StatusOr<std::optional<MemberOrder>> PgCheckInStore::ActiveOrderOf(
    const std::string& resident_id, absl::CivilDay today) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return ActiveOrderOfMember(*conn, resident_id, today);
}

absl::StatusOr<std::optional<std::string>> PgCheckInStore::SharedActiveOrder(
    const std::string& member_id, const std::string& resident_id, absl::CivilDay today) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return quarantine::SharedActiveOrder(*conn, member_id, resident_id, today);
}

absl::Status PgCheckInStore::Record(CheckInRow& row, absl::Time now, std::string* flag_id,
                                    std::vector<PassChange>* changes) {
  const std::string at = common::Rfc3339Micros(now);
  std::vector<std::string> symptoms;
  for (int s : row.symptoms) symptoms.push_back(std::to_string(s));
  const std::string symptom_array = absl::StrCat("{", absl::StrJoin(symptoms, ","), "}");
  return pool_.Transaction([&](common::PgConn& c) -> absl::Status {
    // FOR SHARE: a release committing meanwhile waits for this check-in, or this one
    // sees the release and refuses.
    auto order = c.Exec(
        "SELECT area_code FROM quarantine.isolation_orders "
        "WHERE order_id = $1 AND released_at IS NULL FOR SHARE",
        {row.order_id});
    if (!order.ok()) return order.status();
    if (order->rows() == 0) {
      return absl::FailedPreconditionError(
          "check-in for someone not isolated: the isolation order was released meanwhile");
    }
    row.area_code = std::string(order->Get(0, 0));
    auto ins = c.Exec(
        "INSERT INTO quarantine.check_ins (check_in_id, order_id, resident_id, "
        "temperature_celsius, symptoms, abnormal, note, recorded_by, by_resident, checked_at, "
        "china_day, slot) VALUES (gen_random_uuid(), $1, $2, $3::numeric, $4::smallint[], $5, "
        "$6, $7, $8, $9::timestamptz, $10::date, $11) RETURNING check_in_id",
        {row.order_id, row.resident_id, TenthsText(row.temperature_tenths), symptom_array,
         row.abnormal ? "true" : "false", row.note, row.recorded_by,
         row.by_resident ? "true" : "false", at, common::IsoDate(row.china_day),
         std::to_string(row.slot)});
    if (!ins.ok()) return ins.status();
    row.check_in_id = std::string(ins->Get(0, 0));
    row.checked_at_micros = absl::ToUnixMicros(now);
    if (row.abnormal) {
      // At most one open flag per person: an open one stays as it is.
      auto flag = c.Exec(
          "INSERT INTO quarantine.follow_up_flags (flag_id, resident_id, area_code, "
          "check_in_id, raised_at) VALUES (gen_random_uuid(), $1, $2, $3, $4::timestamptz) "
          "ON CONFLICT (resident_id) WHERE cleared_at IS NULL DO NOTHING RETURNING flag_id",
          {row.resident_id, row.area_code, row.check_in_id, at});
      if (!flag.ok()) return flag.status();
      if (flag->rows() == 0) {
        flag = c.Exec(
            "SELECT flag_id FROM quarantine.follow_up_flags "
            "WHERE resident_id = $1 AND cleared_at IS NULL",
            {row.resident_id});
        if (!flag.ok()) return flag.status();
      }
      if (flag->rows() > 0) *flag_id = std::string(flag->Get(0, 0));
    }
    auto recomputed = engine_.Recompute(c, {row.resident_id}, now);
    if (!recomputed.ok()) return recomputed.status();
    *changes = *std::move(recomputed);
    return absl::OkStatus();
  });
}

absl::StatusOr<std::vector<CheckInRow>> PgCheckInStore::List(const std::string& resident_id,
                                                             absl::CivilDay from,
                                                             absl::CivilDay to) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(absl::StrCat("SELECT ", kCheckInColumns,
                                   " FROM quarantine.check_ins c "
                                   "JOIN quarantine.isolation_orders o ON o.order_id = c.order_id "
                                   "WHERE c.resident_id = $1 AND c.china_day BETWEEN $2::date AND "
                                   "$3::date ORDER BY c.checked_at DESC, c.check_in_id DESC"),
                      {resident_id, common::IsoDate(from), common::IsoDate(to)});
  if (!r.ok()) return r.status();
  std::vector<CheckInRow> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(CheckInFrom(*r, i));
  return out;
}

absl::StatusOr<std::vector<std::string>> PgCheckInStore::OrderAreasOf(
    const std::string& resident_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "SELECT DISTINCT o.area_code FROM quarantine.isolation_orders o "
      "JOIN quarantine.isolation_order_members m ON m.order_id = o.order_id "
      "WHERE m.resident_id = $1",
      {resident_id});
  if (!r.ok()) return r.status();
  std::vector<std::string> out;
  for (int i = 0; i < r->rows(); ++i) out.emplace_back(r->Get(i, 0));
  return out;
}

absl::StatusOr<std::vector<ReportingRow>> PgCheckInStore::Reporting(
    const std::string& area_code, absl::CivilDay day, const std::optional<ReportingPosition>& after,
    int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string day_text = common::IsoDate(day);
  const std::string day_start = common::Rfc3339Micros(common::ChinaDayStart(day));
  auto r = conn->Exec(
      absl::StrCat(
          "SELECT m.resident_id, m.name, o.order_id, o.household_id, o.area_code, "
          "o.checkins_per_day, (extract(epoch from o.created_at) * 1000000)::int8, "
          "(extract(epoch from o.released_at) * 1000000)::int8, "
          "COALESCE((SELECT string_agg(DISTINCT c.slot::text, ',') FROM quarantine.check_ins c "
          "  WHERE c.order_id = o.order_id AND c.resident_id = m.resident_id "
          "    AND c.china_day = $2::date), '') "
          "FROM quarantine.isolation_orders o "
          "JOIN quarantine.isolation_order_members m ON m.order_id = o.order_id "
          "WHERE ",
          kInArea,
          " AND o.start_date <= $2::date "
          "  AND (o.released_at IS NULL OR o.released_at > $3::timestamptz) "
          "  AND ($4::text IS NULL OR (o.area_code COLLATE \"C\", o.order_id, m.resident_id) > "
          "       ($4::text COLLATE \"C\", $5::uuid, $6::uuid)) "
          "ORDER BY o.area_code COLLATE \"C\", o.order_id, m.resident_id LIMIT $7"),
      {area_code, day_text, day_start,
       after ? common::PgParam(after->area_code) : common::PgParam(),
       after ? common::PgParam(after->order_id) : common::PgParam(),
       after ? common::PgParam(after->resident_id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<ReportingRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    ReportingRow row;
    row.resident_id = std::string(r->Get(i, 0));
    row.name = std::string(r->Get(i, 1));
    row.order_id = std::string(r->Get(i, 2));
    row.household_id = std::string(r->Get(i, 3));
    row.area_code = std::string(r->Get(i, 4));
    (void)absl::SimpleAtoi(r->Get(i, 5), &row.checkins_per_day);
    row.order_created = absl::FromUnixMicros(Micros(*r, i, 6));
    if (!r->IsNull(i, 7)) row.released = absl::FromUnixMicros(Micros(*r, i, 7));
    row.filled_slots = IntList(r->Get(i, 8));
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::vector<FlagRow>> PgCheckInStore::ListFlags(
    const std::string& area_code, bool include_cleared,
    const std::optional<common::TimeIdPosition>& after, int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kFlagColumns,
                   " FROM quarantine.follow_up_flags "
                   "WHERE (area_code = $1 OR area_code LIKE $1 || '.%') "
                   "  AND ($2::bool OR cleared_at IS NULL) "
                   "  AND ($3::timestamptz IS NULL OR (raised_at, flag_id) < ($3, $4::uuid)) "
                   "ORDER BY raised_at DESC, flag_id DESC LIMIT $5"),
      {area_code, include_cleared ? "true" : "false",
       after ? common::PgParam(common::Rfc3339Micros(absl::FromUnixMicros(after->micros)))
             : common::PgParam(),
       after ? common::PgParam(after->id) : common::PgParam(), std::to_string(limit)});
  if (!r.ok()) return r.status();
  std::vector<FlagRow> out;
  for (int i = 0; i < r->rows(); ++i) out.push_back(FlagFrom(*r, i));
  return out;
}

absl::StatusOr<FlagRow> PgCheckInStore::GetFlag(const std::string& flag_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kFlagColumns, " FROM quarantine.follow_up_flags WHERE flag_id = $1"),
      {flag_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no follow-up flag with this flag_id");
  return FlagFrom(*r, 0);
}

absl::StatusOr<FlagRow> PgCheckInStore::ClearFlag(const std::string& flag_id, const std::string& by,
                                                  const std::string& note, absl::Time now,
                                                  std::vector<PassChange>* changes) {
  FlagRow out;
  absl::Status s = pool_.Transaction([&](common::PgConn& c) -> absl::Status {
    auto r = c.Exec(absl::StrCat("UPDATE quarantine.follow_up_flags SET cleared_at = "
                                 "$2::timestamptz, cleared_by = $3, clear_note = $4 "
                                 "WHERE flag_id = $1 AND cleared_at IS NULL RETURNING ",
                                 kFlagColumns),
                    {flag_id, common::Rfc3339Micros(now), by, note});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) {
      return absl::FailedPreconditionError("the follow-up flag is already cleared");
    }
    out = FlagFrom(*r, 0);
    auto recomputed = engine_.Recompute(c, {out.resident_id}, now);
    if (!recomputed.ok()) return recomputed.status();
    *changes = *std::move(recomputed);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

}  // namespace fangxian::quarantine
