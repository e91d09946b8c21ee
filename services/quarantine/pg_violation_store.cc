#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "services/quarantine/violation_store.h"

namespace fangxian::quarantine {
namespace {

constexpr char kColumns[] =
    "v.violation_id, v.resident_id, v.area_code, v.kind, v.status, v.outcome, v.description, "
    "coalesce(v.source_event_id, ''), v.recorded_by, "
    "(extract(epoch from v.recorded_at) * 1000000)::int8, coalesce(v.confirmed_by, ''), "
    "(extract(epoch from v.confirmed_at) * 1000000)::int8, coalesce(v.outcome_by, ''), "
    "(extract(epoch from v.outcome_at) * 1000000)::int8, v.outcome_note, "
    "coalesce(v.closed_by, ''), (extract(epoch from v.closed_at) * 1000000)::int8, "
    "coalesce(v.close_note, '')";

std::optional<int64_t> OptionalMicros(const common::PgResult& r, int i, int col) {
  if (r.IsNull(i, col)) return std::nullopt;
  int64_t micros = 0;
  (void)absl::SimpleAtoi(r.Get(i, col), &micros);
  return micros;
}

ViolationRow RowFrom(const common::PgResult& r, int i) {
  ViolationRow row;
  row.violation_id = std::string(r.Get(i, 0));
  row.resident_id = std::string(r.Get(i, 1));
  row.area_code = std::string(r.Get(i, 2));
  (void)absl::SimpleAtoi(r.Get(i, 3), &row.kind);
  (void)absl::SimpleAtoi(r.Get(i, 4), &row.status);
  (void)absl::SimpleAtoi(r.Get(i, 5), &row.outcome);
  row.description = std::string(r.Get(i, 6));
  row.source_event_id = std::string(r.Get(i, 7));
  row.recorded_by = std::string(r.Get(i, 8));
  (void)absl::SimpleAtoi(r.Get(i, 9), &row.recorded_at_micros);
  row.confirmed_by = std::string(r.Get(i, 10));
  row.confirmed_at_micros = OptionalMicros(r, i, 11);
  row.outcome_by = std::string(r.Get(i, 12));
  row.outcome_at_micros = OptionalMicros(r, i, 13);
  row.outcome_note = std::string(r.Get(i, 14));
  row.closed_by = std::string(r.Get(i, 15));
  row.closed_at_micros = OptionalMicros(r, i, 16);
  row.close_note = std::string(r.Get(i, 17));
  return row;
}

absl::StatusOr<ViolationRow> OneRow(absl::StatusOr<common::PgResult> r) {
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no violation with this violation_id");
  return RowFrom(*r, 0);
}

}  // namespace

absl::StatusOr<ViolationRow> PgViolationStore::Insert(common::PgConn& tx, const ViolationRow& row,
                                                      bool confirmed, absl::Time now) {
  const std::string at = common::Rfc3339Micros(now);
  return OneRow(
      tx.Exec(absl::StrCat("INSERT INTO quarantine.violations AS v (violation_id, resident_id, "
                           "area_code, kind, status, description, recorded_by, recorded_at, "
                           "confirmed_by, confirmed_at) "
                           "VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7::timestamptz, "
                           "CASE WHEN $8 THEN $6 END, CASE WHEN $8 THEN $7::timestamptz END) "
                           "RETURNING ",
                           kColumns),
              {row.resident_id, row.area_code, absl::StrCat(row.kind),
               absl::StrCat(confirmed ? kViolationConfirmed : kViolationReported), row.description,
               row.recorded_by, at, confirmed ? "true" : "false"}));
}

absl::StatusOr<ViolationRow> PgViolationStore::Get(common::PgConn& conn,
                                                   const std::string& violation_id, bool lock) {
  return OneRow(conn.Exec(
      absl::StrCat("SELECT ", kColumns, " FROM quarantine.violations v WHERE v.violation_id = $1",
                   lock ? " FOR UPDATE" : ""),
      {violation_id}));
}

absl::StatusOr<std::vector<ViolationRow>> PgViolationStore::List(common::PgConn& conn,
                                                                 const ViolationQuery& query) {
  std::optional<std::string> after_time;
  std::optional<std::string> after_id;
  if (query.after) {
    after_time = common::Rfc3339Micros(absl::FromUnixMicros(query.after->micros));
    after_id = query.after->id;
  }
  auto r = conn.Exec(
      absl::StrCat(
          "SELECT ", kColumns,
          " FROM quarantine.violations v "
          "WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) s "
          "              WHERE v.area_code = s OR v.area_code LIKE s || '.%') "
          "  AND ($2::int2 = 0 OR v.kind = $2::int2) "
          "  AND ($3::int2 = 0 OR v.status = $3::int2) "
          "  AND ($4::uuid IS NULL OR v.resident_id = $4::uuid) "
          "  AND ($5::timestamptz IS NULL OR (v.recorded_at, v.violation_id) < ($5, $6::uuid)) "
          "ORDER BY v.recorded_at DESC, v.violation_id DESC LIMIT $7"),
      {common::PgTextArray(query.areas), absl::StrCat(query.kind), absl::StrCat(query.status),
       query.resident_id.empty() ? std::nullopt : common::PgParam(query.resident_id),
       after_time ? common::PgParam(*after_time) : std::nullopt,
       after_id ? common::PgParam(*after_id) : std::nullopt, absl::StrCat(query.limit)});
  if (!r.ok()) return r.status();
  std::vector<ViolationRow> rows;
  rows.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) rows.push_back(RowFrom(*r, i));
  return rows;
}

absl::StatusOr<ViolationRow> PgViolationStore::Confirm(common::PgConn& tx,
                                                       const std::string& violation_id,
                                                       const std::string& by, absl::Time now) {
  return OneRow(
      tx.Exec(absl::StrCat("UPDATE quarantine.violations v SET status = ", kViolationConfirmed,
                           ", confirmed_by = $2, confirmed_at = $3::timestamptz "
                           "WHERE v.violation_id = $1 RETURNING ",
                           kColumns),
              {violation_id, by, common::Rfc3339Micros(now)}));
}

absl::StatusOr<ViolationRow> PgViolationStore::SetOutcome(common::PgConn& tx,
                                                          const std::string& violation_id,
                                                          int outcome, const std::string& note,
                                                          const std::string& by, absl::Time now) {
  return OneRow(
      tx.Exec(absl::StrCat("UPDATE quarantine.violations v SET outcome = $2, outcome_note = $3, "
                           "outcome_by = $4, outcome_at = $5::timestamptz "
                           "WHERE v.violation_id = $1 RETURNING ",
                           kColumns),
              {violation_id, absl::StrCat(outcome), note, by, common::Rfc3339Micros(now)}));
}

absl::StatusOr<ViolationRow> PgViolationStore::Close(common::PgConn& tx,
                                                     const std::string& violation_id,
                                                     const std::string& note, const std::string& by,
                                                     absl::Time now) {
  return OneRow(
      tx.Exec(absl::StrCat("UPDATE quarantine.violations v SET status = ", kViolationClosed,
                           ", close_note = $2, closed_by = $3, closed_at = $4::timestamptz "
                           "WHERE v.violation_id = $1 RETURNING ",
                           kColumns),
              {violation_id, note, by, common::Rfc3339Micros(now)}));
}

}  // namespace fangxian::quarantine
