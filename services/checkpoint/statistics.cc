#include "services/checkpoint/statistics.h"

#include <map>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/checkpoint/checkpoints.h"
#include "services/checkpoint/passage_figures.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {
namespace {

void Accumulate(const v1::Figures& from, v1::Figures* into) {
  into->set_persons(into->persons() + from.persons());
  into->set_vehicles(into->vehicles() + from.vehicles());
  into->set_admitted(into->admitted() + from.admitted());
  into->set_denied(into->denied() + from.denied());
  into->set_referred(into->referred() + from.referred());
  into->set_fevers(into->fevers() + from.fevers());
}

v1::Figures FiguresOf(const Counts& c) {
  v1::Figures f;
  f.set_persons(c.persons);
  f.set_vehicles(c.vehicles);
  f.set_admitted(c.admitted);
  f.set_denied(c.denied);
  f.set_referred(c.referred);
  f.set_fevers(c.fevers);
  return f;
}

// Columns `first`..`first + 5` of row `i`, in kFigureAggregates order.
v1::Figures FiguresFrom(const common::PgResult& r, int i, int first) {
  Counts c;
  int64_t* fields[] = {&c.persons, &c.vehicles, &c.admitted, &c.denied, &c.referred, &c.fevers};
  for (int k = 0; k < 6; ++k) (void)absl::SimpleAtoi(r.Get(i, first + k), fields[k]);
  return FiguresOf(c);
}

}  // namespace

absl::StatusOr<std::vector<Statistics::Selected>> Statistics::Select(
    const common::CallContext& call, const std::string& area_code,
    const std::string& checkpoint_id) {
  if (area_code.empty() == checkpoint_id.empty()) {
    return absl::InvalidArgumentError("give exactly one of area_code and checkpoint_id");
  }
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  if (!checkpoint_id.empty()) {
    if (auto s = common::RequireUuid("checkpoint_id", checkpoint_id); !s.ok()) return s;
    auto r = conn->Exec(
        "SELECT c.name, (SELECT string_agg(a.area_code, ',') FROM checkpoint.checkpoint_areas a "
        "WHERE a.checkpoint_id = c.checkpoint_id) "
        "FROM checkpoint.checkpoints c WHERE c.checkpoint_id = $1",
        {checkpoint_id});
    if (!r.ok()) return r.status();
    if (r->rows() == 0) return CheckpointNotFound();
    const std::vector<std::string> areas = absl::StrSplit(r->Get(0, 1), ',', absl::SkipEmpty());
    // Outside the caller's scope it is as missing (the id's existence is not revealed).
    if (!common::RequireScopeAny(call, "this checkpoint", areas).ok()) {
      return CheckpointNotFound();
    }
    return std::vector<Selected>{{checkpoint_id, std::string(r->Get(0, 0))}};
  }
  if (auto s = common::RequireAreaPath("area_code", area_code); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", area_code); !s.ok()) return s;
  auto r = conn->Exec(
      "SELECT DISTINCT c.checkpoint_id, c.name FROM checkpoint.checkpoints c "
      "JOIN checkpoint.checkpoint_areas a ON a.checkpoint_id = c.checkpoint_id "
      "WHERE a.area_code = $1 OR a.area_code LIKE $1 || '.%' ORDER BY c.name, c.checkpoint_id",
      {area_code});
  if (!r.ok()) return r.status();
  std::vector<Selected> out;
  for (int i = 0; i < r->rows(); ++i) {
    out.push_back({std::string(r->Get(i, 0)), std::string(r->Get(i, 1))});
  }
  return out;
}

absl::StatusOr<v1::DailyStatistics> Statistics::Daily(
    const common::CallContext& call, const v1::GetDailyStatisticsRequest& request) {
  absl::CivilDay from;
  absl::CivilDay to;
  if (!common::ParseIsoDate(request.from_date(), &from)) {
    return absl::InvalidArgumentError("from_date must be a real day as YYYY-MM-DD");
  }
  if (!common::ParseIsoDate(request.to_date(), &to)) {
    return absl::InvalidArgumentError("to_date must be a real day as YYYY-MM-DD");
  }
  if (from > to) return absl::InvalidArgumentError("from_date is after to_date");
  if (to - from + 1 > kMaxStatisticsDays) {
    return absl::InvalidArgumentError(
        absl::StrCat("the range spans more than ", kMaxStatisticsDays, " days; split it"));
  }
  if (to > common::ChinaToday(clock_())) {
    return absl::InvalidArgumentError("to_date is after today");
  }
  absl::StatusOr<std::vector<Selected>> selected =
      Select(call, request.area_code(), request.checkpoint_id());
  if (!selected.ok()) return selected.status();
  v1::DailyStatistics out;
  if (selected->empty()) return out;
  std::vector<std::string> ids;
  for (const Selected& s : *selected) ids.push_back(s.id);

  const absl::Time start = ChinaDayStart(from);
  const absl::Time end = ChinaDayStart(to + 1);
  auto conn = pg_.Acquire();
  if (!conn.ok()) return conn.status();
  // Rolled-up days from daily_stats; the others counted from the passages (whose
  // recorded_at bounds let the planner skip partitions: see live_counters.cc).
  auto r = conn->Exec(
      absl::StrCat("WITH rolled AS (SELECT day FROM checkpoint.stats_rollups "
                   "                WHERE day BETWEEN $2::date AND $3::date) "
                   "SELECT checkpoint_id, day::text, persons, vehicles, admitted, denied, "
                   "referred, fevers FROM checkpoint.daily_stats "
                   "WHERE checkpoint_id = ANY($1::uuid[]) AND day IN (SELECT day FROM rolled) "
                   "UNION ALL SELECT checkpoint_id, d::text, ",
                   kFigureAggregates,
                   " FROM (SELECT *, (client_time AT TIME ZONE 'Asia/Shanghai')::date AS d "
                   "FROM checkpoint.passages WHERE checkpoint_id = ANY($1::uuid[]) AND ",
                   ClientTimeWindow("$4", "$5", max_replay_),
                   ") p WHERE d NOT IN (SELECT day FROM rolled) GROUP BY checkpoint_id, d "
                   "ORDER BY 2, 1"),
      {common::PgTextArray(ids), common::IsoDate(from), common::IsoDate(to),
       common::Rfc3339Micros(start), common::Rfc3339Micros(end)});
  if (!r.ok()) return r.status();
  std::map<std::string, v1::Figures> per_day;
  for (int i = 0; i < r->rows(); ++i) {
    v1::CheckpointDay* row = out.add_rows();
    row->set_checkpoint_id(std::string(r->Get(i, 0)));
    row->set_date(std::string(r->Get(i, 1)));
    *row->mutable_figures() = FiguresFrom(*r, i, 2);
    Accumulate(row->figures(), &per_day[row->date()]);
    Accumulate(row->figures(), out.mutable_total());
  }
  for (const auto& [date, figures] : per_day) {
    v1::DayTotal* t = out.add_day_totals();
    t->set_date(date);
    *t->mutable_figures() = figures;
  }
  return out;
}

absl::StatusOr<v1::LiveCounters> Statistics::Live(const common::CallContext& call,
                                                  const v1::GetLiveCountersRequest& request) {
  absl::StatusOr<std::vector<Selected>> selected =
      Select(call, request.area_code(), request.checkpoint_id());
  if (!selected.ok()) return selected.status();
  if (selected->size() > static_cast<size_t>(kMaxLiveCheckpoints)) {
    return absl::InvalidArgumentError(absl::StrCat("the area has more than ", kMaxLiveCheckpoints,
                                                   " checkpoints; ask for a smaller area"));
  }
  const absl::CivilDay today = common::ChinaToday(clock_());
  v1::LiveCounters out;
  out.set_date(common::IsoDate(today));
  for (const Selected& s : *selected) {
    absl::StatusOr<Counts> c = live_.Get(s.id, today);
    if (!c.ok()) return c.status();
    v1::CheckpointCounters* row = out.add_checkpoints();
    row->set_checkpoint_id(s.id);
    row->set_name(s.name);
    *row->mutable_figures() = FiguresOf(*c);
    Accumulate(row->figures(), out.mutable_total());
  }
  return out;
}

}  // namespace fangxian::checkpoint
