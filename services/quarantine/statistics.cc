#include "services/quarantine/statistics.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/area_sql.h"
#include "common/auth.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/quarantine/check_in_rules.h"
#include "services/quarantine/statistics_rules.h"
#include "services/quarantine/sweep_rules.h"

namespace fangxian::quarantine {
namespace {

using google::protobuf::util::TimeUtil;

// Rows at or below the requested area ($1).
std::string InArea(absl::string_view column) { return common::AreaAtOrBelowSql(column, "$1"); }

// Column 0 of every grouped query: the direct child area of $1 a row counts under
// (ChildAreaOf in SQL) when grouping, else NULL. Rows whose group is NULL are the whole
// area's (the empty grouping set).
std::string GroupKey(absl::string_view column, bool by_child) {
  if (!by_child) return "NULL::text";
  return common::ChildAreaSql(column, "$1");
}

// The GROUP BY of a query with the group in column `g` and, for daily figures, the day
// offset in column `d`.
std::string GroupBy(bool by_child, bool daily) {
  if (daily) return by_child ? " GROUP BY GROUPING SETS ((g, d), (d))" : " GROUP BY d";
  return by_child ? " GROUP BY GROUPING SETS ((g), ())" : "";
}

// The China day of a timestamptz column, as days after $N (a date).
std::string DayOffset(absl::string_view column, int from_param) {
  return absl::StrCat("((", column, " AT TIME ZONE 'Asia/Shanghai')::date - $", from_param,
                      "::date)");
}

int64_t Int(const common::PgResult& r, int row, int col) {
  int64_t v = 0;
  if (!r.IsNull(row, col)) (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

absl::StatusOr<common::PgResult> Run(common::PgConn& conn, const std::string& sql,
                                     const std::vector<std::string>& params) {
  const std::vector<common::PgParam> p(params.begin(), params.end());
  return conn.Exec(sql, p);
}

// The figures of one area per day of the range, and of each child area.
class DailyBuilder {
 public:
  DailyBuilder(absl::CivilDay from, int days) : from_(from), days_(days) { total_ = NewSeries(); }

  // The day of row `row` (day offset in column 1) in the series of its group (column 0).
  v1::DayFigures& At(const common::PgResult& r, int row) {
    return Day(r.IsNull(row, 0) ? std::nullopt : std::optional<std::string>(r.Get(row, 0)),
               static_cast<int>(Int(r, row, 1)));
  }
  v1::DayFigures& Day(const std::optional<std::string>& group, int offset) {
    std::vector<v1::DayFigures>& series =
        group ? children_.try_emplace(*group, NewSeries()).first->second : total_;
    return series.at(static_cast<size_t>(offset));
  }

  void Finish(v1::DailyFigures* out) {
    for (v1::DayFigures& d : total_) Close(d, out->add_days());
    for (auto& [area, series] : children_) {
      v1::AreaDailyFigures* child = out->add_child_areas();
      child->set_area_code(area);
      for (v1::DayFigures& d : series) Close(d, child->add_days());
    }
  }

 private:
  std::vector<v1::DayFigures> NewSeries() const {
    std::vector<v1::DayFigures> series(static_cast<size_t>(days_));
    for (int i = 0; i < days_; ++i) {
      // Every count present, zeros included: a day has the same shape in JSON whatever
      // happened.
      series[i].set_date(common::IsoDate(from_ + i));
      series[i].mutable_violations_by_kind();
      series[i].mutable_violations_by_outcome();
      series[i].mutable_sweep_visits();
    }
    return series;
  }
  static void Close(v1::DayFigures& day, v1::DayFigures* out) {
    day.set_checkin_compliance(Compliance(day.checkins_done(), day.checkins_expected()));
    *out = std::move(day);
  }

  const absl::CivilDay from_;
  const int days_;
  std::vector<v1::DayFigures> total_;
  std::map<std::string, std::vector<v1::DayFigures>> children_;
};

// The summary of the area and of each child area.
class SummaryBuilder {
 public:
  SummaryBuilder() : total_(NewFigures()) {}

  v1::SummaryFigures& At(const common::PgResult& r, int row) {
    if (r.IsNull(row, 0)) return total_;
    return Child(std::string(r.Get(row, 0)));
  }
  v1::SummaryFigures& Total() { return total_; }
  v1::SummaryFigures& Child(const std::string& area) {
    return children_.try_emplace(area, NewFigures()).first->second;
  }

  void Finish(v1::Summary* out) {
    *out->mutable_total() = std::move(total_);
    for (auto& [area, figures] : children_) {
      v1::AreaSummary* child = out->add_child_areas();
      child->set_area_code(area);
      *child->mutable_figures() = std::move(figures);
    }
  }

 private:
  // Every count present, zeros included (as DailyBuilder's days).
  static v1::SummaryFigures NewFigures() {
    v1::SummaryFigures f;
    f.mutable_persons_of_interest();
    f.mutable_persons_of_interest_open();
    f.mutable_service_requests();
    f.mutable_violations_by_status();
    f.mutable_violations_by_outcome();
    return f;
  }

  v1::SummaryFigures total_;
  std::map<std::string, v1::SummaryFigures> children_;
};

void SetKinds(const common::PgResult& r, int row, int first, v1::ViolationKindCounts* out) {
  out->set_concealment(out->concealment() + Int(r, row, first));
  out->set_false_report(out->false_report() + Int(r, row, first + 1));
  out->set_leaving_isolation(out->leaving_isolation() + Int(r, row, first + 2));
  out->set_refusing_registration(out->refusing_registration() + Int(r, row, first + 3));
}

void SetOutcomes(const common::PgResult& r, int row, int first, v1::ViolationOutcomeCounts* out) {
  out->set_none(Int(r, row, first));
  out->set_education(Int(r, row, first + 1));
  out->set_warning(Int(r, row, first + 2));
  out->set_detention_referral(Int(r, row, first + 3));
}

constexpr char kKindCounts[] =
    "count(*) FILTER (WHERE kind = 1), count(*) FILTER (WHERE kind = 2), "
    "count(*) FILTER (WHERE kind = 3), count(*) FILTER (WHERE kind = 4)";
constexpr char kOutcomeCounts[] =
    "count(*) FILTER (WHERE outcome = 0), count(*) FILTER (WHERE outcome = 1), "
    "count(*) FILTER (WHERE outcome = 2), count(*) FILTER (WHERE outcome = 3)";

// Members of the orders active on each day of the range: the day's expected slots
// (ExpectedSlots, the non-reporting list's rule) and, per slot, how many members filled
// it. Adds expected and done slots, and abnormal check-ins, to `days`.
absl::Status AddCheckIns(common::PgConn& conn, const std::string& area, bool by_child,
                         absl::CivilDay from, int days, absl::Time now, DailyBuilder& builder) {
  // An order is active on a day from its start_date until it is released (the day it is
  // released included when that happened after the day began), as in
  // CheckInStore::Reporting. Set-based (the orders, their check-ins of the range grouped
  // by day and slot, joined): one pass over check_ins instead of one probe per order and
  // day, which EXPLAIN showed 5x slower over a subdistrict and 92 days.
  auto r =
      Run(conn,
          absl::StrCat(
              "WITH o AS MATERIALIZED (SELECT o.order_id, o.area_code, o.start_date, "
              "  o.checkins_per_day, o.created_at, o.released_at, "
              "  (SELECT count(*) FROM quarantine.isolation_order_members m "
              "   WHERE m.order_id = o.order_id) AS members "
              "  FROM quarantine.isolation_orders o WHERE ",
              InArea("o.area_code"),
              "  AND o.start_date <= $2::date + $3::int "
              "  AND (o.released_at IS NULL OR o.released_at > $4::timestamptz)), "
              "c AS (SELECT c.order_id, c.china_day - $2::date AS i, c.slot, "
              "  count(DISTINCT c.resident_id) AS n, count(*) FILTER (WHERE c.abnormal) AS ab "
              "  FROM quarantine.check_ins c WHERE c.order_id IN (SELECT order_id FROM o) "
              "  AND c.china_day BETWEEN $2::date AND $2::date + $3::int GROUP BY 1, 2, 3) "
              "SELECT ",
              GroupKey("o.area_code", by_child),
              ", s.i, o.checkins_per_day, (extract(epoch from o.created_at) * 1000000)::int8, "
              "(extract(epoch from o.released_at) * 1000000)::int8, o.members, "
              "COALESCE(string_agg(c.slot || ':' || c.n, ','), ''), COALESCE(sum(c.ab), 0) "
              "FROM o JOIN generate_series(0, $3::int) AS s(i) ON o.start_date <= $2::date + s.i "
              "  AND (o.released_at IS NULL OR o.released_at > "
              "       (($2::date + s.i)::timestamp AT TIME ZONE 'Asia/Shanghai')) "
              "LEFT JOIN c ON c.order_id = o.order_id AND c.i = s.i "
              "GROUP BY o.order_id, o.area_code, s.i, o.checkins_per_day, o.created_at, "
              "o.released_at, o.members"),
          {area, common::IsoDate(from), absl::StrCat(days - 1),
           common::Rfc3339Micros(common::ChinaDayStart(from))});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    const int offset = static_cast<int>(Int(*r, i, 1));
    const int per_day = static_cast<int>(Int(*r, i, 2));
    std::optional<absl::Time> released;
    if (!r->IsNull(i, 4)) released = absl::FromUnixMicros(Int(*r, i, 4));
    const std::vector<int> expected =
        ExpectedSlots(from + offset, per_day, now, absl::FromUnixMicros(Int(*r, i, 3)), released);
    const int64_t members = Int(*r, i, 5);
    std::map<int, int64_t> filled;  // slot -> members who filled it
    for (absl::string_view pair : absl::StrSplit(r->Get(i, 6), ',', absl::SkipEmpty())) {
      std::pair<std::string, std::string> kv = absl::StrSplit(pair, ':');
      int slot = 0;
      int64_t n = 0;
      if (absl::SimpleAtoi(kv.first, &slot) && absl::SimpleAtoi(kv.second, &n)) filled[slot] = n;
    }
    int64_t done = 0;
    for (int slot : expected) done += filled[slot];
    const int64_t abnormal = Int(*r, i, 7);
    std::vector<v1::DayFigures*> into = {&builder.Day(std::nullopt, offset)};
    if (!r->IsNull(i, 0)) into.push_back(&builder.Day(std::string(r->Get(i, 0)), offset));
    for (v1::DayFigures* d : into) {
      d->set_checkins_expected(d->checkins_expected() +
                               static_cast<int64_t>(expected.size()) * members);
      d->set_checkins_done(d->checkins_done() + done);
      d->set_abnormal_checkins(d->abnormal_checkins() + abnormal);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<v1::DailyFigures> QuarantineStatistics::Daily(
    const common::CallContext& call, const v1::GetDailyFiguresRequest& request) {
  const absl::Time now = clock_();
  absl::CivilDay from;
  absl::CivilDay to;
  if (auto s = ValidateDailyFigures(request, common::ChinaToday(now), &from, &to); !s.ok()) {
    return s;
  }
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  const std::string key = absl::StrCat(request.area_code(), "|", common::IsoDate(from), "|",
                                       common::IsoDate(to), "|", request.group_by_child_area());
  return daily_cache_.Get(key, now, call.deadline,
                          [&] { return ReadDaily(request, from, to, now); });
}

absl::StatusOr<v1::DailyFigures> QuarantineStatistics::ReadDaily(
    const v1::GetDailyFiguresRequest& request, absl::CivilDay from, absl::CivilDay to,
    absl::Time now) {
  const std::string& area = request.area_code();
  const bool by_child = request.group_by_child_area();
  const int days = static_cast<int>(to - from + 1);
  const std::string from_date = common::IsoDate(from);
  const std::string to_date = common::IsoDate(to);
  const std::string start = common::Rfc3339Micros(common::ChinaDayStart(from));
  const std::string end = common::Rfc3339Micros(common::ChinaDayStart(to + 1));
  const std::string now_text = common::Rfc3339Micros(now);
  const std::string group_by = GroupBy(by_child, /*daily=*/true);
  // Rows of [start, end) of a time column `t`, its China day as `d` ($1 area, $2 start,
  // $3 end, $4 from_date).
  auto timed = [&](absl::string_view area_column, absl::string_view t) {
    return absl::StrCat(GroupKey(area_column, by_child), " AS g, ", DayOffset(t, 4), " AS d");
  };
  auto in_range = [&](absl::string_view area_column, absl::string_view t) {
    return absl::StrCat(" WHERE ", InArea(area_column), " AND ", t, " >= $2::timestamptz AND ", t,
                        " < $3::timestamptz");
  };
  const std::vector<std::string> timed_params = {area, start, end, from_date};

  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  DailyBuilder builder(from, days);

  // Persons of interest registered.
  auto r = Run(*conn,
               absl::StrCat("SELECT ", timed("area_code", "created_at"),
                            ", count(*) FILTER (WHERE category = 1), "
                            "count(*) FILTER (WHERE category = 2), "
                            "count(*) FILTER (WHERE category = 3) "
                            "FROM quarantine.persons_of_interest",
                            in_range("area_code", "created_at"), group_by),
               timed_params);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::DayFigures& d = builder.At(*r, i);
    d.set_returnees_registered(Int(*r, i, 2));
    d.set_close_contacts_registered(Int(*r, i, 3));
    d.set_fever_referrals(Int(*r, i, 4));
  }

  // Orders starting that day, unless cancelled before they started.
  r = Run(*conn,
          absl::StrCat("SELECT ", GroupKey("o.area_code", by_child),
                       " AS g, (o.start_date - $2::date) AS d, count(DISTINCT o.household_id), "
                       "count(DISTINCT m.resident_id) FROM quarantine.isolation_orders o "
                       "LEFT JOIN quarantine.isolation_order_members m ON m.order_id = o.order_id "
                       "WHERE ",
                       InArea("o.area_code"),
                       " AND o.start_date BETWEEN $2::date AND $3::date "
                       "AND (o.released_at IS NULL OR o.released_at > "
                       "     (o.start_date::timestamp AT TIME ZONE 'Asia/Shanghai'))",
                       group_by),
          {area, from_date, to_date});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::DayFigures& d = builder.At(*r, i);
    d.set_households_placed(Int(*r, i, 2));
    d.set_people_placed(Int(*r, i, 3));
  }

  // In isolation at the end of each day (now, for today): started by then, released
  // after it.
  r = Run(
      *conn,
      absl::StrCat("SELECT ", GroupKey("o.area_code", by_child),
                   " AS g, s.i AS d, count(DISTINCT o.household_id), count(DISTINCT m.resident_id) "
                   "FROM quarantine.isolation_orders o "
                   "JOIN generate_series(0, $3::int) AS s(i) ON o.start_date <= $2::date + s.i "
                   "  AND (o.released_at IS NULL OR o.released_at > LEAST($4::timestamptz, "
                   "       (($2::date + s.i + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))) "
                   "LEFT JOIN quarantine.isolation_order_members m ON m.order_id = o.order_id "
                   "WHERE ",
                   InArea("o.area_code"),
                   " AND o.start_date <= $2::date + $3::int "
                   "AND (o.released_at IS NULL OR o.released_at > $5::timestamptz)",
                   group_by),
      {area, from_date, absl::StrCat(days - 1), now_text, start});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::DayFigures& d = builder.At(*r, i);
    d.set_households_isolated(Int(*r, i, 2));
    d.set_people_isolated(Int(*r, i, 3));
  }

  // Orders released.
  r = Run(*conn,
          absl::StrCat("SELECT ", timed("area_code", "released_at"),
                       ", count(*) FROM quarantine.isolation_orders",
                       in_range("area_code", "released_at"), group_by),
          timed_params);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) builder.At(*r, i).set_orders_released(Int(*r, i, 2));

  if (auto s = AddCheckIns(*conn, area, by_child, from, days, now, builder); !s.ok()) return s;

  // Service requests created, delivered and confirmed: one row per event. Every event
  // comes after the creation, so created_at < end bounds the index scan.
  r = Run(
      *conn,
      absl::StrCat("SELECT ", timed("r.area_code", "e.t"),
                   ", count(*) FILTER (WHERE e.k = 1), count(*) FILTER (WHERE e.k = 2), "
                   "count(*) FILTER (WHERE e.k = 3) FROM quarantine.service_requests r "
                   "CROSS JOIN LATERAL (VALUES (1, r.created_at), (2, r.delivered_at), "
                   "(3, r.confirmed_at)) AS e(k, t)",
                   in_range("r.area_code", "e.t"), " AND r.created_at < $3::timestamptz", group_by),
      timed_params);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::DayFigures& d = builder.At(*r, i);
    d.set_service_requests_created(Int(*r, i, 2));
    d.set_service_requests_delivered(Int(*r, i, 3));
    d.set_service_requests_confirmed(Int(*r, i, 4));
  }

  // Violations recorded, by kind and by their current outcome.
  r = Run(*conn,
          absl::StrCat("SELECT ", timed("area_code", "recorded_at"), ", ", kKindCounts, ", ",
                       kOutcomeCounts, " FROM quarantine.violations",
                       in_range("area_code", "recorded_at"), group_by),
          timed_params);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::DayFigures& d = builder.At(*r, i);
    SetKinds(*r, i, 2, d.mutable_violations_by_kind());
    SetOutcomes(*r, i, 6, d.mutable_violations_by_outcome());
  }

  // Sweep visits, by the visited household's area.
  r = Run(*conn,
          absl::StrCat("SELECT ", timed("(h.area_code COLLATE \"default\")", "v.visited_at"),
                       ", count(*) FILTER (WHERE v.outcome = 1), "
                       "count(*) FILTER (WHERE v.outcome = 2), "
                       "count(*) FILTER (WHERE v.outcome = 3) "
                       "FROM quarantine.sweep_visits v JOIN quarantine.sweep_households h "
                       "  ON h.sweep_id = v.sweep_id AND h.round = v.round "
                       "  AND h.household_id = v.household_id",
                       in_range("h.area_code", "v.visited_at"), group_by),
          timed_params);
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::VisitOutcomeCounts* v = builder.At(*r, i).mutable_sweep_visits();
    v->set_visited(Int(*r, i, 2));
    v->set_not_at_home(Int(*r, i, 3));
    v->set_refused(Int(*r, i, 4));
  }

  v1::DailyFigures out;
  out.set_area_code(area);
  out.set_from_date(from_date);
  out.set_to_date(to_date);
  builder.Finish(&out);
  return out;
}

absl::StatusOr<v1::Summary> QuarantineStatistics::Summary(const common::CallContext& call,
                                                          const v1::GetSummaryRequest& request) {
  if (auto s = ValidateSummary(request); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", request.area_code()); !s.ok()) return s;
  const absl::Time now = clock_();
  const std::string key = absl::StrCat(request.area_code(), "|", request.group_by_child_area());
  return summary_cache_.Get(key, now, call.deadline, [&] { return ReadSummary(request, now); });
}

absl::StatusOr<v1::Summary> QuarantineStatistics::ReadSummary(const v1::GetSummaryRequest& request,
                                                              absl::Time now) {
  const std::string& area = request.area_code();
  const bool by_child = request.group_by_child_area();
  const std::string group_by = GroupBy(by_child, /*daily=*/false);
  absl::StatusOr<common::PgConn> conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  SummaryBuilder builder;

  // Persons of interest, all and open, by category.
  auto r = Run(*conn,
               absl::StrCat("SELECT ", GroupKey("area_code", by_child),
                            " AS g, count(*) FILTER (WHERE category = 1), "
                            "count(*) FILTER (WHERE category = 2), "
                            "count(*) FILTER (WHERE category = 3), "
                            "count(*) FILTER (WHERE category = 1 AND closed_at IS NULL), "
                            "count(*) FILTER (WHERE category = 2 AND closed_at IS NULL), "
                            "count(*) FILTER (WHERE category = 3 AND closed_at IS NULL) "
                            "FROM quarantine.persons_of_interest WHERE ",
                            InArea("area_code"), group_by),
               {area});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::SummaryFigures& f = builder.At(*r, i);
    f.mutable_persons_of_interest()->set_returnees(Int(*r, i, 1));
    f.mutable_persons_of_interest()->set_close_contacts(Int(*r, i, 2));
    f.mutable_persons_of_interest()->set_fever_referrals(Int(*r, i, 3));
    f.mutable_persons_of_interest_open()->set_returnees(Int(*r, i, 4));
    f.mutable_persons_of_interest_open()->set_close_contacts(Int(*r, i, 5));
    f.mutable_persons_of_interest_open()->set_fever_referrals(Int(*r, i, 6));
  }

  // Isolation: now (started, unreleased), ever (started, not cancelled before), due.
  r = Run(
      *conn,
      absl::StrCat("SELECT ", GroupKey("o.area_code", by_child),
                   " AS g, count(DISTINCT o.household_id) FILTER (WHERE now_active), "
                   "count(DISTINCT m.resident_id) FILTER (WHERE now_active), "
                   "count(DISTINCT o.household_id) FILTER (WHERE ever_active), "
                   "count(DISTINCT m.resident_id) FILTER (WHERE ever_active), "
                   "count(DISTINCT o.order_id) FILTER (WHERE o.released_at IS NULL "
                   "  AND o.end_date <= $3::date) "
                   "FROM quarantine.isolation_orders o "
                   "LEFT JOIN quarantine.isolation_order_members m ON m.order_id = o.order_id "
                   "CROSS JOIN LATERAL (SELECT o.start_date <= $3::date AND (o.released_at IS NULL "
                   "  OR o.released_at > $2::timestamptz) AS now_active, "
                   "  o.start_date <= $3::date AND (o.released_at IS NULL OR o.released_at > "
                   "  (o.start_date::timestamp AT TIME ZONE 'Asia/Shanghai')) AS ever_active) AS a "
                   "WHERE ",
                   InArea("o.area_code"), group_by),
      {area, common::Rfc3339Micros(now), common::IsoDate(common::ChinaToday(now))});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::SummaryFigures& f = builder.At(*r, i);
    f.set_households_isolated_now(Int(*r, i, 1));
    f.set_people_isolated_now(Int(*r, i, 2));
    f.set_households_isolated_total(Int(*r, i, 3));
    f.set_people_isolated_total(Int(*r, i, 4));
    f.set_orders_due_for_release(Int(*r, i, 5));
  }

  // Service requests by status.
  r = Run(*conn,
          absl::StrCat("SELECT ", GroupKey("area_code", by_child),
                       " AS g, count(*) FILTER (WHERE status = 1), "
                       "count(*) FILTER (WHERE status = 2), count(*) FILTER (WHERE status = 3), "
                       "count(*) FILTER (WHERE status = 4), count(*) FILTER (WHERE status = 5), "
                       "count(*) FILTER (WHERE status = 6) FROM quarantine.service_requests WHERE ",
                       InArea("area_code"), group_by),
          {area});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::ServiceRequestStatusCounts* s = builder.At(*r, i).mutable_service_requests();
    s->set_open(Int(*r, i, 1));
    s->set_assigned(Int(*r, i, 2));
    s->set_in_progress(Int(*r, i, 3));
    s->set_delivered(Int(*r, i, 4));
    s->set_confirmed(Int(*r, i, 5));
    s->set_cancelled(Int(*r, i, 6));
  }

  // Violations by status and by outcome.
  r = Run(*conn,
          absl::StrCat("SELECT ", GroupKey("area_code", by_child),
                       " AS g, count(*) FILTER (WHERE status = 1), "
                       "count(*) FILTER (WHERE status = 2), count(*) FILTER (WHERE status = 3), ",
                       kOutcomeCounts, " FROM quarantine.violations WHERE ", InArea("area_code"),
                       group_by),
          {area});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    v1::SummaryFigures& f = builder.At(*r, i);
    f.mutable_violations_by_status()->set_reported(Int(*r, i, 1));
    f.mutable_violations_by_status()->set_confirmed(Int(*r, i, 2));
    f.mutable_violations_by_status()->set_closed(Int(*r, i, 3));
    SetOutcomes(*r, i, 4, f.mutable_violations_by_outcome());
  }

  // Open follow-up flags.
  r = Run(*conn,
          absl::StrCat("SELECT ", GroupKey("area_code", by_child),
                       " AS g, count(*) FROM quarantine.follow_up_flags WHERE cleared_at IS NULL "
                       "AND ",
                       InArea("area_code"), group_by),
          {area});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) builder.At(*r, i).set_follow_up_flags_open(Int(*r, i, 1));

  // Sweeps over, within or above the area: their latest round's coverage within it, as
  // GetCoverage counts it; per child area by the buildings' paths.
  absl::StatusOr<std::vector<SweepRow>> sweeps =
      sweeps_.ListSweeps(*conn, area, std::nullopt, kMaxSummarySweeps + 1);
  if (!sweeps.ok()) return sweeps.status();
  v1::Summary out;
  out.set_more_sweeps(sweeps->size() > static_cast<size_t>(kMaxSummarySweeps));
  if (out.more_sweeps()) sweeps->resize(kMaxSummarySweeps);
  for (const SweepRow& sweep : *sweeps) {
    if (sweep.current_round == 0) continue;
    const std::string within = common::AreaWithin(sweep.area_code, area) ? sweep.area_code : area;
    absl::StatusOr<std::vector<CoverageCounts>> buildings =
        sweeps_.Coverage(*conn, sweep.sweep_id, sweep.current_round, within);
    if (!buildings.ok()) return buildings.status();
    CoverageCounts total;
    total.area_code = within;
    std::map<std::string, CoverageCounts> children;
    for (const CoverageCounts& b : *buildings) {
      AddCounts(b, &total);
      if (!by_child) continue;
      const std::string child = ChildAreaOf(area, b.area_code);
      CoverageCounts& c = children[child];
      c.area_code = common::AreaWithin(within, child) ? within : child;
      AddCounts(b, &c);
    }
    auto add = [&sweep](v1::SummaryFigures& f, const CoverageCounts& counts) {
      v1::SweepCoverage* s = f.add_sweeps();
      s->set_sweep_id(sweep.sweep_id);
      s->set_name(sweep.name);
      s->set_sweep_area_code(sweep.area_code);
      s->set_round(sweep.current_round);
      *s->mutable_coverage() = CoverageFiguresOf(counts);
    };
    add(builder.Total(), total);
    for (const auto& [child, counts] : children) add(builder.Child(child), counts);
  }

  out.set_area_code(area);
  *out.mutable_as_of() = TimeUtil::MicrosecondsToTimestamp(absl::ToUnixMicros(now));
  builder.Finish(&out);
  return out;
}

}  // namespace fangxian::quarantine
