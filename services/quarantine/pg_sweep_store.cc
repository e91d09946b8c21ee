#include <unordered_map>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/area_sql.h"
#include "common/time_text.h"
#include "services/quarantine/sweep_store.h"

namespace fangxian::quarantine {
namespace {

constexpr char kSweepColumns[] =
    "s.sweep_id, s.name, s.area_code, s.current_round, s.created_by, "
    "(extract(epoch from s.created_at) * 1000000)::int8";

constexpr char kVisitColumns[] =
    "v.visit_id, v.sweep_id, v.round, v.household_id, v.outcome, v.notice_left, v.note, v.team, "
    "v.recorded_by, (extract(epoch from v.visited_at) * 1000000)::int8";

constexpr char kHouseholdColumns[] =
    "h.household_id, h.card_number, h.area_code, h.building_path, h.room, "
    "array_to_string(h.member_ids, ','), h.position";

// The latest visit of each household of round ($1, $2): its outcome in the round.
constexpr char kLatestVisits[] =
    "WITH latest AS (SELECT DISTINCT ON (v.household_id) v.* FROM quarantine.sweep_visits v "
    "WHERE v.sweep_id = $1 AND v.round = $2 "
    "ORDER BY v.household_id, v.visited_at DESC, v.visit_id DESC) ";

int IntAt(const common::PgResult& r, int row, int col) {
  int v = 0;
  (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

int64_t MicrosAt(const common::PgResult& r, int row, int col) {
  int64_t v = 0;
  (void)absl::SimpleAtoi(r.Get(row, col), &v);
  return v;
}

SweepRow SweepFrom(const common::PgResult& r, int i) {
  SweepRow row;
  row.sweep_id = std::string(r.Get(i, 0));
  row.name = std::string(r.Get(i, 1));
  row.area_code = std::string(r.Get(i, 2));
  row.current_round = IntAt(r, i, 3);
  row.created_by = std::string(r.Get(i, 4));
  row.created_at_micros = MicrosAt(r, i, 5);
  return row;
}

VisitRow VisitFrom(const common::PgResult& r, int i, int first) {
  VisitRow row;
  row.visit_id = std::string(r.Get(i, first));
  row.sweep_id = std::string(r.Get(i, first + 1));
  row.round = IntAt(r, i, first + 2);
  row.household_id = std::string(r.Get(i, first + 3));
  row.outcome = IntAt(r, i, first + 4);
  row.notice_left = r.Get(i, first + 5) == "t";
  row.note = std::string(r.Get(i, first + 6));
  row.team = std::string(r.Get(i, first + 7));
  row.recorded_by = std::string(r.Get(i, first + 8));
  row.visited_at_micros = MicrosAt(r, i, first + 9);
  return row;
}

AreaHousehold HouseholdFrom(const common::PgResult& r, int i) {
  AreaHousehold row;
  row.household_id = std::string(r.Get(i, 0));
  row.card_number = std::string(r.Get(i, 1));
  row.area_code = std::string(r.Get(i, 2));
  row.building_path = std::string(r.Get(i, 3));
  row.room = std::string(r.Get(i, 4));
  row.member_ids = absl::StrSplit(r.Get(i, 5), ',', absl::SkipEmpty());
  return row;
}

// Fills the teams and rounds of `rows`: one query each, however many rows.
absl::Status AttachTeamsAndRounds(common::PgConn& conn, std::vector<SweepRow>& rows) {
  if (rows.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  std::unordered_map<std::string, SweepRow*> by_id;
  for (SweepRow& row : rows) {
    ids.push_back(row.sweep_id);
    by_id[row.sweep_id] = &row;
  }
  const std::string id_array = common::PgTextArray(ids);
  auto teams = conn.Exec(
      "SELECT sweep_id, name, array_to_string(member_subjects, chr(31)) "
      "FROM quarantine.sweep_teams WHERE sweep_id = ANY($1::uuid[]) ORDER BY sweep_id, position",
      {id_array});
  if (!teams.ok()) return teams.status();
  for (int i = 0; i < teams->rows(); ++i) {
    SweepTeamRow team;
    team.name = std::string(teams->Get(i, 1));
    team.member_subjects = absl::StrSplit(teams->Get(i, 2), '\x1f', absl::SkipEmpty());
    by_id[std::string(teams->Get(i, 0))]->teams.push_back(std::move(team));
  }
  auto rounds = conn.Exec(
      "SELECT r.sweep_id, r.round, (SELECT count(*) FROM quarantine.sweep_households h "
      "  WHERE h.sweep_id = r.sweep_id AND h.round = r.round), "
      "(extract(epoch from r.opened_at) * 1000000)::int8, r.opened_by, "
      "(extract(epoch from r.closed_at) * 1000000)::int8 "
      "FROM quarantine.sweep_rounds r WHERE r.sweep_id = ANY($1::uuid[]) "
      "ORDER BY r.sweep_id, r.round",
      {id_array});
  if (!rounds.ok()) return rounds.status();
  for (int i = 0; i < rounds->rows(); ++i) {
    RoundRow round;
    round.round = IntAt(*rounds, i, 1);
    round.households = IntAt(*rounds, i, 2);
    round.opened_at_micros = MicrosAt(*rounds, i, 3);
    round.opened_by = std::string(rounds->Get(i, 4));
    if (!rounds->IsNull(i, 5)) round.closed_at_micros = MicrosAt(*rounds, i, 5);
    by_id[std::string(rounds->Get(i, 0))]->rounds.push_back(std::move(round));
  }
  return absl::OkStatus();
}

// "$n = area or below it".
std::string AtOrBelow(absl::string_view column, int n) {
  return common::AreaAtOrBelowSql(column, absl::StrCat("$", n));
}

}  // namespace

absl::StatusOr<SweepRow> PgSweepStore::InsertSweep(common::PgConn& tx, const SweepRow& row,
                                                   absl::Time now) {
  auto r = tx.Exec(absl::StrCat("INSERT INTO quarantine.sweeps AS s (sweep_id, name, area_code, "
                                "created_by, created_at) "
                                "VALUES (gen_random_uuid(), $1, $2, $3, $4::timestamptz) "
                                "RETURNING ",
                                kSweepColumns),
                   {row.name, row.area_code, row.created_by, common::Rfc3339Micros(now)});
  if (!r.ok()) return r.status();
  SweepRow stored = SweepFrom(*r, 0);
  for (size_t i = 0; i < row.teams.size(); ++i) {
    auto t = tx.Exec(
        "INSERT INTO quarantine.sweep_teams (sweep_id, position, name, member_subjects) "
        "VALUES ($1, $2, $3, $4::text[])",
        {stored.sweep_id, absl::StrCat(i), row.teams[i].name,
         common::PgTextArray(row.teams[i].member_subjects)});
    if (!t.ok()) return t.status();
  }
  stored.teams = row.teams;
  return stored;
}

absl::StatusOr<SweepRow> PgSweepStore::GetSweep(common::PgConn& conn, const std::string& sweep_id) {
  auto r = conn.Exec(
      absl::StrCat("SELECT ", kSweepColumns, " FROM quarantine.sweeps s WHERE s.sweep_id = $1"),
      {sweep_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no sweep with this sweep_id");
  std::vector<SweepRow> rows = {SweepFrom(*r, 0)};
  if (auto s = AttachTeamsAndRounds(conn, rows); !s.ok()) return s;
  return std::move(rows[0]);
}

absl::StatusOr<std::vector<SweepRow>> PgSweepStore::ListSweeps(
    common::PgConn& conn, const std::string& area,
    const std::optional<common::TimeIdPosition>& after, int limit) {
  auto r = conn.Exec(
      absl::StrCat("SELECT ", kSweepColumns, " FROM quarantine.sweeps s WHERE (",
                   AtOrBelow("s.area_code", 1),
                   " OR $1 LIKE s.area_code || '.%') "
                   "AND ($2::int8 IS NULL OR (s.created_at, s.sweep_id) < "
                   "     ('epoch'::timestamptz + $2::int8 * interval '1 microsecond', $3::uuid)) "
                   "ORDER BY s.created_at DESC, s.sweep_id DESC LIMIT $4"),
      {area, after ? common::PgParam(absl::StrCat(after->micros)) : std::nullopt,
       after ? common::PgParam(after->id) : std::nullopt, absl::StrCat(limit)});
  if (!r.ok()) return r.status();
  std::vector<SweepRow> rows;
  for (int i = 0; i < r->rows(); ++i) rows.push_back(SweepFrom(*r, i));
  if (auto s = AttachTeamsAndRounds(conn, rows); !s.ok()) return s;
  return rows;
}

absl::StatusOr<int> PgSweepStore::LockSweep(common::PgConn& tx, const std::string& sweep_id,
                                            bool exclusive) {
  auto r = tx.Exec(absl::StrCat("SELECT current_round FROM quarantine.sweeps WHERE sweep_id = $1 ",
                                exclusive ? "FOR UPDATE" : "FOR SHARE"),
                   {sweep_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no sweep with this sweep_id");
  return IntAt(*r, 0, 0);
}

absl::StatusOr<RoundRow> PgSweepStore::OpenRound(common::PgConn& tx, const std::string& sweep_id,
                                                 int round,
                                                 const std::vector<AreaHousehold>& households,
                                                 const std::string& opened_by, absl::Time now) {
  const std::string at = common::Rfc3339Micros(now);
  if (auto r = tx.Exec("UPDATE quarantine.sweep_rounds SET closed_at = $2::timestamptz "
                       "WHERE sweep_id = $1 AND closed_at IS NULL",
                       {sweep_id, at});
      !r.ok()) {
    return r.status();
  }
  const std::string number = absl::StrCat(round);
  if (auto r =
          tx.Exec("INSERT INTO quarantine.sweep_rounds (sweep_id, round, opened_at, opened_by) "
                  "VALUES ($1, $2, $3::timestamptz, $4)",
                  {sweep_id, number, at, opened_by});
      !r.ok()) {
    return r.status();
  }
  // The whole list in one statement: parallel arrays, one element per household.
  std::vector<std::string> ids, cards, areas, buildings, rooms, members;
  for (const AreaHousehold& h : households) {
    ids.push_back(h.household_id);
    cards.push_back(h.card_number);
    areas.push_back(h.area_code);
    buildings.push_back(h.building_path);
    rooms.push_back(h.room);
    members.push_back(absl::StrJoin(h.member_ids, ","));
  }
  if (auto r = tx.Exec(
          "INSERT INTO quarantine.sweep_households (sweep_id, round, household_id, position, "
          "card_number, area_code, building_path, room, member_ids) "
          "SELECT $1, $2, l.id::uuid, l.n - 1, l.card, l.area, l.building, l.room, "
          "       string_to_array(l.members, ',')::uuid[] "
          "FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) "
          "     WITH ORDINALITY AS l(id, card, area, building, room, members, n)",
          {sweep_id, number, common::PgTextArray(ids), common::PgTextArray(cards),
           common::PgTextArray(areas), common::PgTextArray(buildings), common::PgTextArray(rooms),
           common::PgTextArray(members)});
      !r.ok()) {
    return r.status();
  }
  if (auto r = tx.Exec("UPDATE quarantine.sweeps SET current_round = $2 WHERE sweep_id = $1",
                       {sweep_id, number});
      !r.ok()) {
    return r.status();
  }
  RoundRow out;
  out.round = round;
  out.households = static_cast<int>(households.size());
  out.opened_at_micros = absl::ToUnixMicros(now);
  out.opened_by = opened_by;
  return out;
}

absl::StatusOr<std::optional<AreaHousehold>> PgSweepStore::FindHousehold(
    common::PgConn& conn, const std::string& sweep_id, int round, const std::string& household_id,
    bool lock) {
  auto r = conn.Exec(absl::StrCat("SELECT ", kHouseholdColumns,
                                  " FROM quarantine.sweep_households h "
                                  "WHERE h.sweep_id = $1 AND h.round = $2 AND h.household_id = $3",
                                  lock ? " FOR UPDATE" : ""),
                     {sweep_id, absl::StrCat(round), household_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<AreaHousehold>();
  return std::optional<AreaHousehold>(HouseholdFrom(*r, 0));
}

absl::StatusOr<VisitRow> PgSweepStore::InsertVisit(common::PgConn& tx, const VisitRow& row,
                                                   absl::Time now) {
  auto r = tx.Exec(
      absl::StrCat("INSERT INTO quarantine.sweep_visits AS v (visit_id, sweep_id, round, "
                   "household_id, outcome, notice_left, note, team, recorded_by, visited_at) "
                   "VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9::timestamptz) "
                   "RETURNING ",
                   kVisitColumns),
      {row.sweep_id, absl::StrCat(row.round), row.household_id, absl::StrCat(row.outcome),
       row.notice_left ? "true" : "false", row.note, row.team, row.recorded_by,
       common::Rfc3339Micros(now)});
  if (!r.ok()) return r.status();
  return VisitFrom(*r, 0, 0);
}

absl::Status PgSweepStore::InsertFinding(common::PgConn& tx, const std::string& visit_id,
                                         const std::string& resident_id, int category,
                                         const std::string& person_id, bool created) {
  return tx
      .Exec(
          "INSERT INTO quarantine.sweep_findings (visit_id, resident_id, category, person_id, "
          "created) VALUES ($1, $2, $3, $4, $5)",
          {visit_id, resident_id, absl::StrCat(category), person_id, created ? "true" : "false"})
      .status();
}

absl::StatusOr<std::string> PgSweepStore::OpenPersonId(common::PgConn& tx,
                                                       const std::string& resident_id,
                                                       int category) {
  auto r = tx.Exec(
      "SELECT person_id FROM quarantine.persons_of_interest "
      "WHERE resident_id = $1 AND category = $2 AND closed_at IS NULL",
      {resident_id, absl::StrCat(category)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) {
    return absl::AbortedError("the resident's open person of interest record changed; retry");
  }
  return std::string(r->Get(0, 0));
}

absl::StatusOr<std::optional<LatestVisit>> PgSweepStore::LatestVisitOf(
    common::PgConn& conn, const std::string& sweep_id, int round, const std::string& household_id) {
  auto r = conn.Exec(
      "SELECT outcome, (extract(epoch from visited_at) * 1000000)::int8 "
      "FROM quarantine.sweep_visits WHERE sweep_id = $1 AND round = $2 AND household_id = $3 "
      "ORDER BY visited_at DESC, visit_id DESC LIMIT 1",
      {sweep_id, absl::StrCat(round), household_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<LatestVisit>();
  return std::optional<LatestVisit>(LatestVisit{IntAt(*r, 0, 0), MicrosAt(*r, 0, 1)});
}

absl::Status PgSweepStore::InsertRegistration(common::PgConn& tx, const RegistrationRow& row,
                                              absl::Time now) {
  auto r = tx.Exec(
      "INSERT INTO quarantine.sweep_registrations (sweep_id, round, household_id, "
      "registered_at, note, recorded_by, recorded_at) "
      "VALUES ($1, $2, $3, 'epoch'::timestamptz + $4::int8 * interval '1 microsecond', $5, $6, "
      "$7::timestamptz)",
      {row.sweep_id, absl::StrCat(row.round), row.household_id,
       absl::StrCat(row.registered_at_micros), row.note, row.recorded_by,
       common::Rfc3339Micros(now)});
  if (absl::IsAlreadyExists(r.status())) {
    return absl::AlreadyExistsError(absl::StrCat("this household's registration for round ",
                                                 row.round, " is recorded already"));
  }
  return r.status();
}

absl::StatusOr<std::vector<RevisitRow>> PgSweepStore::RevisitQueue(common::PgConn& conn,
                                                                   const std::string& sweep_id,
                                                                   int round,
                                                                   const std::string& area,
                                                                   int after_position, int limit) {
  auto r = conn.Exec(
      absl::StrCat(kLatestVisits, "SELECT ", kHouseholdColumns, ", ", kVisitColumns,
                   " FROM quarantine.sweep_households h JOIN latest v USING (household_id) "
                   "WHERE h.sweep_id = $1 AND h.round = $2 AND ",
                   AtOrBelow("h.area_code", 3),
                   " AND v.outcome = 2 AND h.position > $4 "
                   "AND NOT EXISTS (SELECT 1 FROM quarantine.sweep_registrations g "
                   "  WHERE g.sweep_id = h.sweep_id AND g.round = h.round "
                   "    AND g.household_id = h.household_id) "
                   "ORDER BY h.position LIMIT $5"),
      {sweep_id, absl::StrCat(round), area, absl::StrCat(after_position), absl::StrCat(limit)});
  if (!r.ok()) return r.status();
  std::vector<RevisitRow> out;
  for (int i = 0; i < r->rows(); ++i) {
    RevisitRow row;
    row.household = HouseholdFrom(*r, i);
    row.position = IntAt(*r, i, 6);
    row.last_visit = VisitFrom(*r, i, 7);
    out.push_back(std::move(row));
  }
  return out;
}

absl::StatusOr<std::vector<CoverageCounts>> PgSweepStore::Coverage(common::PgConn& conn,
                                                                   const std::string& sweep_id,
                                                                   int round,
                                                                   const std::string& area) {
  auto r = conn.Exec(
      absl::StrCat(
          kLatestVisits,
          "SELECT CASE WHEN h.building_path = '' THEN h.area_code ELSE h.building_path END AS b, "
          "count(*), count(*) FILTER (WHERE v.outcome = 1), "
          "count(*) FILTER (WHERE v.outcome = 2), count(*) FILTER (WHERE v.outcome = 3), "
          "count(g.household_id) FILTER (WHERE v.outcome = 2) "
          "FROM quarantine.sweep_households h LEFT JOIN latest v USING (household_id) "
          "LEFT JOIN quarantine.sweep_registrations g ON g.sweep_id = h.sweep_id "
          "  AND g.round = h.round AND g.household_id = h.household_id "
          "WHERE h.sweep_id = $1 AND h.round = $2 AND ",
          AtOrBelow("h.area_code", 3), " GROUP BY b ORDER BY b"),
      {sweep_id, absl::StrCat(round), area});
  if (!r.ok()) return r.status();
  std::vector<CoverageCounts> out;
  for (int i = 0; i < r->rows(); ++i) {
    CoverageCounts c;
    c.area_code = std::string(r->Get(i, 0));
    c.households = IntAt(*r, i, 1);
    c.visited = IntAt(*r, i, 2);
    c.not_at_home = IntAt(*r, i, 3);
    c.refused = IntAt(*r, i, 4);
    c.registered = IntAt(*r, i, 5);
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fangxian::quarantine
