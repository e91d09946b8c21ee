#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "services/checkpoint/alert_store.h"
#include "services/checkpoint/pg_time.h"

namespace fangxian::checkpoint {
namespace {

// The checkpoint schema keeps ',' out of area codes, so they travel comma-joined.
constexpr char kColumns[] =
    "a.alert_id, a.kind, a.checkpoint_id, array_to_string(a.area_codes, ','), "
    "coalesce(a.passage_id::text, ''), coalesce(a.resident_id::text, ''), "
    "a.temperature_celsius, a.detail, (extract(epoch from a.raised_at) * 1000000)::int8, "
    "coalesce((extract(epoch from a.acknowledged_at) * 1000000)::int8, 0), "
    "coalesce(a.acknowledged_by, ''), a.ack_note";

// "An area of the alert is $n or below it" for a text[] parameter of scope areas.
std::string AreaCondition(int param) {
  return absl::StrCat("EXISTS (SELECT 1 FROM unnest(a.area_codes) c, unnest($", param,
                      "::text[]) s WHERE c = s OR c LIKE s || '.%')");
}

std::string MicrosParam(int64_t micros) { return absl::StrCat(micros); }

AlertRow RowFrom(const common::PgResult& r, int i) {
  AlertRow row;
  row.alert_id = std::string(r.Get(i, 0));
  (void)absl::SimpleAtoi(r.Get(i, 1), &row.kind);
  row.checkpoint_id = std::string(r.Get(i, 2));
  row.area_codes = absl::StrSplit(r.Get(i, 3), ',', absl::SkipEmpty());
  row.passage_id = std::string(r.Get(i, 4));
  row.resident_id = std::string(r.Get(i, 5));
  double t = 0;
  if (!r.IsNull(i, 6) && absl::SimpleAtod(r.Get(i, 6), &t)) row.temperature_celsius = t;
  row.detail = std::string(r.Get(i, 7));
  (void)absl::SimpleAtoi(r.Get(i, 8), &row.raised_at_micros);
  (void)absl::SimpleAtoi(r.Get(i, 9), &row.acknowledged_at_micros);
  row.acknowledged_by = std::string(r.Get(i, 10));
  row.note = std::string(r.Get(i, 11));
  return row;
}

std::vector<AlertRow> RowsFrom(const common::PgResult& r) {
  std::vector<AlertRow> rows;
  rows.reserve(r.rows());
  for (int i = 0; i < r.rows(); ++i) rows.push_back(RowFrom(r, i));
  return rows;
}

}  // namespace

absl::StatusOr<std::vector<AlertRow>> PgAlertStore::List(const AlertQuery& query) {
  std::vector<std::string> values;  // keeps the parameters alive
  values.reserve(6);
  std::string sql =
      absl::StrCat("SELECT ", kColumns, " FROM checkpoint.alerts a WHERE ", AreaCondition(1));
  values.push_back(common::PgTextArray(query.areas));
  if (!query.kinds.empty()) {
    values.push_back(absl::StrCat("{", absl::StrJoin(query.kinds, ","), "}"));
    absl::StrAppend(&sql, " AND a.kind = ANY($", values.size(), "::smallint[])");
  }
  if (query.unacknowledged_only) sql += " AND a.acknowledged_at IS NULL";
  if (query.since_micros) {
    values.push_back(MicrosParam(*query.since_micros));
    absl::StrAppend(
        &sql, " AND a.raised_at >= ", TimestampFromMicrosParam(static_cast<int>(values.size())));
  }
  if (query.before) {
    values.push_back(MicrosParam(query.before->micros));
    values.push_back(query.before->id);
    absl::StrAppend(&sql, " AND (a.raised_at, a.alert_id) < (",
                    TimestampFromMicrosParam(static_cast<int>(values.size()) - 1), ", $",
                    values.size(), "::uuid)");
  }
  values.push_back(absl::StrCat(query.limit));
  absl::StrAppend(&sql, " ORDER BY a.raised_at DESC, a.alert_id DESC LIMIT $", values.size());
  std::vector<common::PgParam> params(values.begin(), values.end());

  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(sql, params);
  if (!r.ok()) return r.status();
  return RowsFrom(*r);
}

absl::StatusOr<AlertRow> PgAlertStore::Get(const std::string& alert_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(
      absl::StrCat("SELECT ", kColumns, " FROM checkpoint.alerts a WHERE a.alert_id = $1"),
      {alert_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no alert with this alert_id");
  return RowFrom(*r, 0);
}

absl::StatusOr<AlertRow> PgAlertStore::Acknowledge(const std::string& alert_id,
                                                   const std::string& by, const std::string& note,
                                                   absl::Time now) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  // One statement: of two concurrent acknowledgements exactly one finds the row open.
  auto r = conn->Exec(
      absl::StrCat("UPDATE checkpoint.alerts a SET acknowledged_at = ", TimestampFromMicrosParam(2),
                   ", acknowledged_by = $3, "
                   "ack_note = $4 WHERE a.alert_id = $1 AND "
                   "a.acknowledged_at IS NULL RETURNING ",
                   kColumns),
      {alert_id, MicrosParam(absl::ToUnixMicros(now)), by, note});
  if (!r.ok()) return r.status();
  if (r->rows() == 1) return RowFrom(*r, 0);
  auto existing = conn->Exec(
      absl::StrCat("SELECT ", kColumns, " FROM checkpoint.alerts a WHERE a.alert_id = $1"),
      {alert_id});
  if (!existing.ok()) return existing.status();
  if (existing->rows() == 0) return absl::NotFoundError("no alert with this alert_id");
  const AlertRow row = RowFrom(*existing, 0);
  return absl::FailedPreconditionError(absl::StrCat(
      "alert was already acknowledged by ", row.acknowledged_by, " at ",
      absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", absl::FromUnixMicros(row.acknowledged_at_micros),
                       absl::UTCTimeZone())));
}

absl::StatusOr<std::vector<AlertRow>> PgAlertStore::RaisedAfter(
    const std::vector<std::string>& areas, int64_t after_micros, int limit) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r =
      conn->Exec(absl::StrCat("SELECT ", kColumns, " FROM checkpoint.alerts a WHERE ",
                              AreaCondition(1), " AND a.raised_at > ", TimestampFromMicrosParam(2),
                              " "
                              "ORDER BY a.raised_at, a.alert_id LIMIT $3"),
                 {common::PgTextArray(areas), MicrosParam(after_micros), absl::StrCat(limit)});
  if (!r.ok()) return r.status();
  return RowsFrom(*r);
}

}  // namespace fangxian::checkpoint
