#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "common/area_sql.h"
#include "services/publicity/schedule_store.h"

namespace fangxian::publicity {
namespace {

constexpr int kLoudspeakerScript = 4;  // v1::CONTENT_KIND_LOUDSPEAKER_SCRIPT

// The areas come back comma-joined (the schema keeps ',' out of area codes).
constexpr char kScheduleColumns[] =
    "s.schedule_id, s.name, COALESCE(s.checkpoint_id::text, ''), COALESCE(s.area_code, ''), "
    "s.version, s.created_by, s.updated_by, "
    "(extract(epoch from s.created_at) * 1000000)::int8, "
    "(extract(epoch from s.updated_at) * 1000000)::int8, "
    "(SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
    " FROM publicity.loudspeaker_schedule_areas a WHERE a.schedule_id = s.schedule_id)";

constexpr char kEntryColumns[] =
    "e.schedule_id, e.content_id, e.days, e.start_minute, e.end_minute, e.repeat_minutes, "
    "e.play_order";

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

ScheduleRow ScheduleFrom(const common::PgResult& r, int i) {
  ScheduleRow row;
  row.schedule_id = std::string(r.Get(i, 0));
  row.name = std::string(r.Get(i, 1));
  row.checkpoint_id = std::string(r.Get(i, 2));
  row.area_code = std::string(r.Get(i, 3));
  row.version = IntAt(r, i, 4);
  row.created_by = std::string(r.Get(i, 5));
  row.updated_by = std::string(r.Get(i, 6));
  row.created_at_micros = MicrosAt(r, i, 7);
  row.updated_at_micros = MicrosAt(r, i, 8);
  if (!r.IsNull(i, 9)) row.area_codes = absl::StrSplit(r.Get(i, 9), ',', absl::SkipEmpty());
  return row;
}

// The entry of a row selected with kEntryColumns starting at column `c`, after the id.
EntryRow EntryFrom(const common::PgResult& r, int i, int c) {
  EntryRow e;
  e.content_id = std::string(r.Get(i, c));
  e.days_mask = IntAt(r, i, c + 1);
  e.start_minute = IntAt(r, i, c + 2);
  e.end_minute = IntAt(r, i, c + 3);
  e.repeat_minutes = IntAt(r, i, c + 4);
  e.order = IntAt(r, i, c + 5);
  return e;
}

// An int[] literal ("{1,2,3}") for one parameter.
template <typename Field>
std::string IntArray(const std::vector<EntryRow>& entries, Field field) {
  std::vector<int> values;
  for (const EntryRow& e : entries) values.push_back(e.*field);
  return absl::StrCat("{", absl::StrJoin(values, ","), "}");
}

// Writes `entries` of a schedule, positions 0.. in the order given, in one statement.
absl::Status InsertEntries(common::PgConn& tx, const std::string& schedule_id,
                           const std::vector<EntryRow>& entries) {
  std::vector<std::string> content_ids;
  for (const EntryRow& e : entries) content_ids.push_back(e.content_id);
  return tx
      .Exec(
          "INSERT INTO publicity.loudspeaker_entries (schedule_id, position, content_id, days, "
          "start_minute, end_minute, repeat_minutes, play_order) "
          "SELECT $1, u.n - 1, u.c::uuid, u.d, u.s, u.e, u.r, u.o "
          "FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::int[]) "
          "WITH ORDINALITY AS u(c, d, s, e, r, o, n)",
          {schedule_id, common::PgTextArray(content_ids), IntArray(entries, &EntryRow::days_mask),
           IntArray(entries, &EntryRow::start_minute), IntArray(entries, &EntryRow::end_minute),
           IntArray(entries, &EntryRow::repeat_minutes), IntArray(entries, &EntryRow::order)})
      .status();
}

// Fills the entries of `rows` (one query for all of them).
absl::Status AttachEntries(common::PgConn& conn, std::vector<ScheduleRow>& rows) {
  if (rows.empty()) return absl::OkStatus();
  std::vector<std::string> ids;
  for (const ScheduleRow& row : rows) ids.push_back(row.schedule_id);
  auto r = conn.Exec(absl::StrCat("SELECT ", kEntryColumns,
                                  " FROM publicity.loudspeaker_entries e "
                                  "WHERE e.schedule_id = ANY($1::uuid[]) "
                                  "ORDER BY e.schedule_id, e.position"),
                     {common::PgTextArray(ids)});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) {
    const absl::string_view id = r->Get(i, 0);
    for (ScheduleRow& row : rows) {
      if (row.schedule_id == id) row.entries.push_back(EntryFrom(*r, i, 1));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<ScheduleRow> GetOn(common::PgConn& conn, const std::string& schedule_id) {
  auto r = conn.Exec(absl::StrCat("SELECT ", kScheduleColumns,
                                  " FROM publicity.loudspeaker_schedules s "
                                  "WHERE s.schedule_id = $1"),
                     {schedule_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0)
    return absl::NotFoundError("schedule_id: there is no loudspeaker schedule with this id");
  std::vector<ScheduleRow> rows = {ScheduleFrom(*r, 0)};
  if (auto s = AttachEntries(conn, rows); !s.ok()) return s;
  return std::move(rows[0]);
}

}  // namespace

absl::StatusOr<std::map<std::string, ScriptRef>> PgScheduleStore::Scripts(
    const std::vector<std::string>& content_ids) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // The areas come back comma-joined (the schema keeps ',' out of area codes).
  auto r = conn->Exec(
      "SELECT c.content_id, c.kind, (SELECT string_agg(a.area_code, ',' ORDER BY a.area_code) "
      "  FROM publicity.content_areas a WHERE a.content_id = c.content_id) "
      "FROM publicity.contents c WHERE c.content_id = ANY($1::uuid[])",
      {common::PgTextArray(content_ids)});
  if (!r.ok()) return r.status();
  std::map<std::string, ScriptRef> scripts;
  for (int i = 0; i < r->rows(); ++i) {
    ScriptRef& ref = scripts[std::string(r->Get(i, 0))];
    ref.kind = IntAt(*r, i, 1);
    if (!r->IsNull(i, 2)) ref.area_codes = absl::StrSplit(r->Get(i, 2), ',', absl::SkipEmpty());
  }
  return scripts;
}

absl::StatusOr<ScheduleRow> PgScheduleStore::Insert(const ScheduleRow& row) {
  ScheduleRow stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& tx) -> absl::Status {
    auto r = tx.Exec(
        "INSERT INTO publicity.loudspeaker_schedules "
        "(name, checkpoint_id, area_code, created_by, updated_by) "
        "VALUES ($1, NULLIF($2, '')::uuid, NULLIF($3, ''), $4, $4) RETURNING schedule_id",
        {row.name, row.checkpoint_id, row.area_code, row.created_by});
    if (!r.ok()) return r.status();
    const std::string id(r->Get(0, 0));
    if (auto a =
            tx.Exec("INSERT INTO publicity.loudspeaker_schedule_areas (schedule_id, area_code) "
                    "SELECT $1, unnest($2::text[])",
                    {id, common::PgTextArray(row.area_codes)});
        !a.ok()) {
      return a.status();
    }
    if (auto e = InsertEntries(tx, id, row.entries); !e.ok()) return e;
    absl::StatusOr<ScheduleRow> got = GetOn(tx, id);
    if (!got.ok()) return got.status();
    stored = *std::move(got);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return stored;
}

absl::StatusOr<ScheduleRow> PgScheduleStore::Get(const std::string& schedule_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  return GetOn(*conn, schedule_id);
}

absl::StatusOr<ScheduleRow> PgScheduleStore::Update(const std::string& schedule_id,
                                                    int expected_version, const std::string& name,
                                                    const std::vector<EntryRow>& entries,
                                                    const std::string& updated_by) {
  ScheduleRow stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& tx) -> absl::Status {
    // The version check and the bump are one statement: two editors who read the same
    // version cannot both win.
    auto r = tx.Exec(
        "UPDATE publicity.loudspeaker_schedules SET name = $3, version = version + 1, "
        "updated_by = $4, updated_at = now() WHERE schedule_id = $1 AND version = $2",
        {schedule_id, absl::StrCat(expected_version), name, updated_by});
    if (!r.ok()) return r.status();
    if (r->affected() == 0) {
      return absl::AbortedError(
          "the schedule changed since you read it (expected_version is stale): read it again "
          "and reapply your change");
    }
    if (auto d = tx.Exec("DELETE FROM publicity.loudspeaker_entries WHERE schedule_id = $1",
                         {schedule_id});
        !d.ok()) {
      return d.status();
    }
    if (auto e = InsertEntries(tx, schedule_id, entries); !e.ok()) return e;
    absl::StatusOr<ScheduleRow> got = GetOn(tx, schedule_id);
    if (!got.ok()) return got.status();
    stored = *std::move(got);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return stored;
}

absl::Status PgScheduleStore::Delete(const std::string& schedule_id, int expected_version) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "WITH gone AS (DELETE FROM publicity.loudspeaker_schedules WHERE schedule_id = $1 "
      "AND ($2::int = 0 OR version = $2::int) RETURNING 1) "
      "SELECT (SELECT count(*) FROM gone), "
      "EXISTS (SELECT 1 FROM publicity.loudspeaker_schedules WHERE schedule_id = $1)",
      {schedule_id, absl::StrCat(expected_version)});
  if (!r.ok()) return r.status();
  if (r->Get(0, 0) != "0") return absl::OkStatus();
  if (r->Get(0, 1) == "t") {
    return absl::AbortedError(
        "the schedule changed since you read it (expected_version is stale): read it again");
  }
  return absl::NotFoundError("schedule_id: there is no loudspeaker schedule with this id");
}

absl::StatusOr<std::vector<ScheduleRow>> PgScheduleStore::List(const ScheduleQuery& query) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kScheduleColumns,
                   " FROM publicity.loudspeaker_schedules s WHERE "
                   "($1::uuid IS NULL OR s.checkpoint_id = $1::uuid) "
                   "AND EXISTS (SELECT 1 FROM publicity.loudspeaker_schedule_areas a, "
                   "  unnest($2::text[]) AS q(area) WHERE a.schedule_id = s.schedule_id "
                   "  AND ",
                   common::AreaAtOrBelowSql("a.area_code", "q.area"),
                   ") "
                   "AND ($3::uuid IS NULL OR s.schedule_id > $3::uuid) "
                   "ORDER BY s.schedule_id LIMIT $4"),
      {query.checkpoint_id.empty() ? std::nullopt : common::PgParam(query.checkpoint_id),
       common::PgTextArray(query.areas),
       query.after_schedule_id.empty() ? std::nullopt : common::PgParam(query.after_schedule_id),
       absl::StrCat(query.limit)});
  if (!r.ok()) return r.status();
  std::vector<ScheduleRow> rows;
  for (int i = 0; i < r->rows(); ++i) rows.push_back(ScheduleFrom(*r, i));
  if (auto s = AttachEntries(*conn, rows); !s.ok()) return s;
  return rows;
}

absl::StatusOr<std::vector<std::string>> PgScheduleStore::CheckpointAreas(
    const std::string& checkpoint_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->ExecPrepared("loudspeaker_checkpoint_areas",
                              "SELECT DISTINCT a.area_code FROM publicity.loudspeaker_schedules s "
                              "JOIN publicity.loudspeaker_schedule_areas a "
                              "ON a.schedule_id = s.schedule_id WHERE s.checkpoint_id = $1::uuid",
                              {checkpoint_id});
  if (!r.ok()) return r.status();
  std::vector<std::string> areas;
  for (int i = 0; i < r->rows(); ++i) areas.emplace_back(r->Get(i, 0));
  return areas;
}

absl::StatusOr<std::vector<PlaylistCandidate>> PgScheduleStore::Candidates(
    const std::string& checkpoint_id, const std::vector<std::string>& player_areas) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // The live copy counts only when it is a script and targets one of the player's areas
  // (the player's own area or one above it).
  auto r = conn->ExecPrepared(
      "loudspeaker_candidates",
      absl::StrCat("SELECT ", kEntryColumns,
                   ", e.position, l.content_id IS NOT NULL, l.title, l.body, l.media_url, "
                   "(extract(epoch from l.publish_at) * 1000000)::int8, "
                   "(extract(epoch from l.expire_at) * 1000000)::int8 "
                   "FROM publicity.loudspeaker_schedules s "
                   "JOIN publicity.loudspeaker_entries e ON e.schedule_id = s.schedule_id "
                   "LEFT JOIN publicity.live_contents l ON l.content_id = e.content_id "
                   "  AND l.kind = ",
                   kLoudspeakerScript,
                   "  AND EXISTS (SELECT 1 FROM publicity.live_content_areas la "
                   "    WHERE la.content_id = l.content_id AND la.area_code = ANY($2::text[])) "
                   "WHERE s.checkpoint_id = $1::uuid OR s.area_code = ANY($2::text[])"),
      {checkpoint_id.empty() ? std::nullopt : common::PgParam(checkpoint_id),
       common::PgTextArray(player_areas)});
  if (!r.ok()) return r.status();
  std::vector<PlaylistCandidate> out;
  for (int i = 0; i < r->rows(); ++i) {
    PlaylistCandidate c;
    c.schedule_id = std::string(r->Get(i, 0));
    c.entry = EntryFrom(*r, i, 1);
    c.position = IntAt(*r, i, 7);
    if (r->Get(i, 8) == "t") {
      PlaylistCandidate::Live live;
      live.title = std::string(r->Get(i, 9));
      live.body = std::string(r->Get(i, 10));
      live.media_url = std::string(r->Get(i, 11));
      live.publish_at = absl::FromUnixMicros(MicrosAt(*r, i, 12));
      if (!r->IsNull(i, 13)) live.expire_at = absl::FromUnixMicros(MicrosAt(*r, i, 13));
      c.live = std::move(live);
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace fangxian::publicity
