#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "common/validate.h"
#include "services/checkpoint/pg_time.h"
#include "services/checkpoint/roster_store.h"
#include "services/checkpoint/shifts.h"

namespace fangxian::checkpoint {
namespace {

// Every column AssignmentFrom reads, in order; times as microseconds since the epoch.
constexpr char kAssignmentColumns[] =
    "assignment_id, checkpoint_id, duty_date::text, shift, post, account_id, assigned_by, "
    "(extract(epoch from assigned_at) * 1000000)::int8, "
    "(extract(epoch from clock_in_at) * 1000000)::int8, "
    "(extract(epoch from clock_out_at) * 1000000)::int8";

absl::CivilDay DayFrom(absl::string_view text) {
  absl::CivilDay day;
  (void)common::ParseIsoDate(text, &day);
  return day;
}

AssignmentRow AssignmentFrom(const common::PgResult& r, int i) {
  AssignmentRow row;
  row.assignment_id = std::string(r.Get(i, 0));
  row.checkpoint_id = std::string(r.Get(i, 1));
  row.date = DayFrom(r.Get(i, 2));
  (void)absl::SimpleAtoi(r.Get(i, 3), &row.shift);
  (void)absl::SimpleAtoi(r.Get(i, 4), &row.post);
  row.account_id = std::string(r.Get(i, 5));
  row.assigned_by = std::string(r.Get(i, 6));
  (void)absl::SimpleAtoi(r.Get(i, 7), &row.assigned_at_micros);
  row.clock_in_micros = OptionalMicros(r, i, 8);
  row.clock_out_micros = OptionalMicros(r, i, 9);
  return row;
}

// At most one row of `sql` (which selects kAssignmentColumns).
absl::StatusOr<std::optional<AssignmentRow>> OneAssignment(
    common::PgConn& conn, const std::string& sql, std::initializer_list<common::PgParam> params) {
  auto r = conn.Exec(sql, params);
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::optional<AssignmentRow>();
  return std::optional<AssignmentRow>(AssignmentFrom(*r, 0));
}

// Who holds `post` of `shift` on `date` (YYYY-MM-DD) at `checkpoint_id`, locked until the
// transaction ends.
absl::StatusOr<std::optional<AssignmentRow>> LockPostHolder(common::PgConn& conn,
                                                            const std::string& checkpoint_id,
                                                            const std::string& date,
                                                            const std::string& shift,
                                                            const std::string& post) {
  return OneAssignment(
      conn,
      absl::StrCat("SELECT ", kAssignmentColumns,
                   " FROM checkpoint.post_assignments WHERE checkpoint_id = $1 "
                   "AND duty_date = $2::date AND shift = $3 AND post = $4 FOR UPDATE"),
      {checkpoint_id, date, shift, post});
}

common::PgParam MicrosParam(const std::optional<int64_t>& micros, std::string& storage) {
  if (!micros) return common::PgParam();
  storage = std::to_string(*micros);
  return common::PgParam(storage);
}

}  // namespace

absl::StatusOr<CadreRow> PgRosterStore::SetCadre(const CadreRow& row) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      "INSERT INTO checkpoint.duty_days (checkpoint_id, duty_date, cadre_account_id, "
      "assigned_by) VALUES ($1, $2::date, $3, $4) "
      "ON CONFLICT (checkpoint_id, duty_date) DO UPDATE SET "
      "cadre_account_id = EXCLUDED.cadre_account_id, assigned_by = EXCLUDED.assigned_by, "
      "assigned_at = now() RETURNING (extract(epoch from assigned_at) * 1000000)::int8",
      {row.checkpoint_id, common::IsoDate(row.date), row.account_id, row.assigned_by});
  if (!r.ok()) return r.status();
  CadreRow stored = row;
  (void)absl::SimpleAtoi(r->Get(0, 0), &stored.assigned_at_micros);
  return stored;
}

absl::StatusOr<AssignmentRow> PgRosterStore::Assign(const AssignmentRow& wanted,
                                                    const AssignJudge& judge) {
  const std::string date = common::IsoDate(wanted.date);
  const std::string shift = std::to_string(wanted.shift);
  const std::string post = std::to_string(wanted.post);
  AssignmentRow stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto holder = LockPostHolder(conn, wanted.checkpoint_id, date, shift, post);
    if (!holder.ok()) return holder.status();
    auto persons =
        OneAssignment(conn,
                      absl::StrCat("SELECT ", kAssignmentColumns,
                                   " FROM checkpoint.post_assignments WHERE duty_date = $1::date "
                                   "AND shift = $2 AND account_id = $3 FOR UPDATE"),
                      {date, shift, wanted.account_id});
    if (!persons.ok()) return persons.status();
    absl::StatusOr<bool> write = judge(*holder, *persons);
    if (!write.ok()) return write.status();
    if (!*write) {
      stored = **holder;
      return absl::OkStatus();
    }
    if (*holder) {
      auto d = conn.Exec("DELETE FROM checkpoint.post_assignments WHERE assignment_id = $1",
                         {(*holder)->assignment_id});
      if (!d.ok()) return d.status();
    }
    auto r =
        conn.Exec(absl::StrCat("INSERT INTO checkpoint.post_assignments (checkpoint_id, "
                               "duty_date, shift, post, account_id, assigned_by) "
                               "VALUES ($1, $2::date, $3, $4, $5, $6) RETURNING ",
                               kAssignmentColumns),
                  {wanted.checkpoint_id, date, shift, post, wanted.account_id, wanted.assigned_by});
    if (r.status().code() == absl::StatusCode::kAlreadyExists) {
      // The locks above cover rows that existed; a row inserted concurrently meets the
      // unique constraints instead.
      if (absl::StrContains(r.status().message(), "account_id")) {
        return absl::AlreadyExistsError(
            "account_id already holds a post in this shift; one person holds one post at a "
            "time: unassign it there first");
      }
      return absl::AbortedError("the post was assigned concurrently; read the roster and retry");
    }
    if (!r.ok()) return r.status();
    stored = AssignmentFrom(*r, 0);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return stored;
}

absl::StatusOr<AssignmentRow> PgRosterStore::Unassign(const PostSlot& slot, const Change& judge) {
  AssignmentRow removed;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto holder = LockPostHolder(conn, slot.checkpoint_id, common::IsoDate(slot.date),
                                 std::to_string(slot.shift), std::to_string(slot.post));
    if (!holder.ok()) return holder.status();
    if (!*holder) return absl::NotFoundError("nobody holds this post in this shift");
    removed = **holder;
    if (auto j = judge(removed); !j.ok()) return j;
    return conn
        .Exec("DELETE FROM checkpoint.post_assignments WHERE assignment_id = $1",
              {removed.assignment_id})
        .status();
  });
  if (!s.ok()) return s;
  return removed;
}

absl::StatusOr<RosterDay> PgRosterStore::GetDay(const std::string& checkpoint_id,
                                                absl::CivilDay date) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const std::string day = common::IsoDate(date);
  RosterDay out;
  auto cadre = conn->Exec(
      "SELECT cadre_account_id, assigned_by, (extract(epoch from assigned_at) * 1000000)::int8 "
      "FROM checkpoint.duty_days "
      "WHERE checkpoint_id = $1 AND duty_date = $2::date",
      {checkpoint_id, day});
  if (!cadre.ok()) return cadre.status();
  if (cadre->rows() > 0) {
    CadreRow row;
    row.checkpoint_id = checkpoint_id;
    row.date = date;
    row.account_id = std::string(cadre->Get(0, 0));
    row.assigned_by = std::string(cadre->Get(0, 1));
    (void)absl::SimpleAtoi(cadre->Get(0, 2), &row.assigned_at_micros);
    out.cadre = std::move(row);
  }
  auto r = conn->Exec(absl::StrCat("SELECT ", kAssignmentColumns,
                                   " FROM checkpoint.post_assignments WHERE checkpoint_id = $1 "
                                   "AND duty_date = $2::date ORDER BY shift, post"),
                      {checkpoint_id, day});
  if (!r.ok()) return r.status();
  for (int i = 0; i < r->rows(); ++i) out.assignments.push_back(AssignmentFrom(*r, i));
  return out;
}

absl::StatusOr<AssignmentRow> PgRosterStore::UpdateClock(const std::string& checkpoint_id,
                                                         absl::CivilDay date, int shift,
                                                         const std::string& account_id,
                                                         const Change& change) {
  AssignmentRow stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto current = OneAssignment(
        conn,
        absl::StrCat("SELECT ", kAssignmentColumns,
                     " FROM checkpoint.post_assignments WHERE checkpoint_id = $1 "
                     "AND duty_date = $2::date AND shift = $3 AND account_id = $4 FOR UPDATE"),
        {checkpoint_id, common::IsoDate(date), std::to_string(shift), account_id});
    if (!current.ok()) return current.status();
    if (!*current) return absl::NotFoundError("no post in this shift");
    AssignmentRow row = **current;
    if (auto c = change(row); !c.ok()) return c;
    std::string in_storage, out_storage;
    auto r = conn.Exec(
        absl::StrCat("UPDATE checkpoint.post_assignments SET clock_in_at = ",
                     TimestampFromMicrosParam(2), ", clock_out_at = ", TimestampFromMicrosParam(3),
                     " WHERE assignment_id = $1 RETURNING ", kAssignmentColumns),
        {row.assignment_id, MicrosParam(row.clock_in_micros, in_storage),
         MicrosParam(row.clock_out_micros, out_storage)});
    if (!r.ok()) return r.status();
    stored = AssignmentFrom(*r, 0);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  return stored;
}

}  // namespace fangxian::checkpoint
