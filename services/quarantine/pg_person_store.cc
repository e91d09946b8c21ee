#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "common/time_text.h"
#include "services/quarantine/person_store.h"

namespace fangxian::quarantine {
namespace {

constexpr char kColumns[] =
    "p.person_id, p.resident_id, p.category, p.source, p.area_code, p.origin_region, "
    "coalesce(to_char(p.arrival_date, 'YYYY-MM-DD'), ''), p.created_by, "
    "(extract(epoch from p.created_at) * 1000000)::int8, p.risk_level, p.travel_mode, "
    "p.contact_of, coalesce(to_char(p.contact_date, 'YYYY-MM-DD'), ''), p.note, p.grid_worker, "
    "coalesce(p.referral_alert_id, ''), coalesce(p.referral_checkpoint_id::text, ''), "
    "p.referral_temperature, (extract(epoch from p.referred_at) * 1000000)::int8, "
    "(extract(epoch from p.closed_at) * 1000000)::int8, coalesce(p.closed_by, ''), "
    "coalesce(p.close_note, '')";

std::optional<int64_t> OptionalMicros(const common::PgResult& r, int i, int col) {
  if (r.IsNull(i, col)) return std::nullopt;
  int64_t micros = 0;
  (void)absl::SimpleAtoi(r.Get(i, col), &micros);
  return micros;
}

PersonRow RowFrom(const common::PgResult& r, int i) {
  PersonRow row;
  row.person_id = std::string(r.Get(i, 0));
  row.resident_id = std::string(r.Get(i, 1));
  (void)absl::SimpleAtoi(r.Get(i, 2), &row.category);
  (void)absl::SimpleAtoi(r.Get(i, 3), &row.source);
  row.area_code = std::string(r.Get(i, 4));
  row.origin_region = std::string(r.Get(i, 5));
  row.arrival_date = std::string(r.Get(i, 6));
  row.created_by = std::string(r.Get(i, 7));
  (void)absl::SimpleAtoi(r.Get(i, 8), &row.created_at_micros);
  (void)absl::SimpleAtoi(r.Get(i, 9), &row.risk_level);
  (void)absl::SimpleAtoi(r.Get(i, 10), &row.travel_mode);
  row.contact_of = std::string(r.Get(i, 11));
  row.contact_date = std::string(r.Get(i, 12));
  row.note = std::string(r.Get(i, 13));
  row.grid_worker = std::string(r.Get(i, 14));
  row.referral_alert_id = std::string(r.Get(i, 15));
  row.referral_checkpoint_id = std::string(r.Get(i, 16));
  double temperature = 0;
  if (!r.IsNull(i, 17) && absl::SimpleAtod(r.Get(i, 17), &temperature)) {
    row.referral_temperature = temperature;
  }
  row.referred_at_micros = OptionalMicros(r, i, 18);
  row.closed_at_micros = OptionalMicros(r, i, 19);
  row.closed_by = std::string(r.Get(i, 20));
  row.close_note = std::string(r.Get(i, 21));
  return row;
}

// The single row an UPDATE ... RETURNING produced; NOT_FOUND when it matched none.
absl::StatusOr<PersonRow> OneRow(absl::StatusOr<common::PgResult> r) {
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no person of interest with this person_id");
  return RowFrom(*r, 0);
}

common::PgParam DateOrNull(const std::string& date) {
  return date.empty() ? std::nullopt : common::PgParam(date);
}

}  // namespace

absl::StatusOr<PersonRow> PgPersonStore::Insert(common::PgConn& tx, const PersonRow& row,
                                                absl::Time now) {
  // ON CONFLICT DO NOTHING rather than a unique violation: the error would abort the
  // caller's transaction (a sweep visit records several findings in one).
  const std::string created_at = common::Rfc3339Micros(now);
  auto r = tx.Exec(
      absl::StrCat("INSERT INTO quarantine.persons_of_interest AS p (person_id, resident_id, "
                   "category, source, area_code, origin_region, arrival_date, created_by, "
                   "created_at, risk_level, travel_mode, contact_of, contact_date, note) "
                   "VALUES (gen_random_uuid(), $1, $2, $3, $4, $5, $6::date, $7, "
                   "$8::timestamptz, $9, $10, $11, $12::date, $13) "
                   "ON CONFLICT (resident_id, category) WHERE closed_at IS NULL DO NOTHING "
                   "RETURNING ",
                   kColumns),
      {row.resident_id, absl::StrCat(row.category), absl::StrCat(row.source), row.area_code,
       row.origin_region, DateOrNull(row.arrival_date), row.created_by, created_at,
       absl::StrCat(row.risk_level), absl::StrCat(row.travel_mode), row.contact_of,
       DateOrNull(row.contact_date), row.note});
  if (!r.ok()) return r.status();
  if (r->rows() == 1) return RowFrom(*r, 0);
  return absl::AlreadyExistsError(
      "this resident already has an open person of interest record of this category (close "
      "it before opening a new episode)");
}

absl::StatusOr<std::optional<PersonRow>> PgPersonStore::FindOpen(common::PgConn& conn,
                                                                 const std::string& resident_id,
                                                                 int category) {
  auto r = conn.Exec(absl::StrCat("SELECT ", kColumns,
                                  " FROM quarantine.persons_of_interest p "
                                  "WHERE p.resident_id = $1 AND p.category = $2 "
                                  "AND p.closed_at IS NULL"),
                     {resident_id, absl::StrCat(category)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::nullopt;
  return RowFrom(*r, 0);
}

absl::StatusOr<PersonRow> PgPersonStore::Get(common::PgConn& conn, const std::string& person_id,
                                             bool lock) {
  return OneRow(conn.Exec(absl::StrCat("SELECT ", kColumns,
                                       " FROM quarantine.persons_of_interest p "
                                       "WHERE p.person_id = $1",
                                       lock ? " FOR UPDATE" : ""),
                          {person_id}));
}

absl::StatusOr<std::vector<PersonRow>> PgPersonStore::List(common::PgConn& conn,
                                                           const PersonQuery& query) {
  const std::string open = !query.open.has_value() ? "" : (*query.open ? "open" : "closed");
  std::optional<std::string> after_time;
  std::optional<std::string> after_id;
  if (query.after) {
    after_time = common::Rfc3339Micros(absl::FromUnixMicros(query.after->micros));
    after_id = query.after->id;
  }
  auto r = conn.Exec(
      absl::StrCat(
          "SELECT ", kColumns,
          " FROM quarantine.persons_of_interest p "
          "WHERE EXISTS (SELECT 1 FROM unnest($1::text[]) s "
          "              WHERE p.area_code = s OR p.area_code LIKE s || '.%') "
          "  AND ($2::int2 = 0 OR p.category = $2::int2) "
          "  AND ($3 = '' OR ($3 = 'open') = (p.closed_at IS NULL)) "
          "  AND ($4 = '' OR p.grid_worker = $4) "
          "  AND ($5::timestamptz IS NULL OR (p.created_at, p.person_id) < ($5, $6::uuid)) "
          "ORDER BY p.created_at DESC, p.person_id DESC LIMIT $7"),
      {common::PgTextArray(query.areas), absl::StrCat(query.category), open, query.grid_worker,
       after_time ? common::PgParam(*after_time) : std::nullopt,
       after_id ? common::PgParam(*after_id) : std::nullopt, absl::StrCat(query.limit)});
  if (!r.ok()) return r.status();
  std::vector<PersonRow> rows;
  rows.reserve(r->rows());
  for (int i = 0; i < r->rows(); ++i) rows.push_back(RowFrom(*r, i));
  return rows;
}

absl::StatusOr<PersonRow> PgPersonStore::SetGridWorker(common::PgConn& tx,
                                                       const std::string& person_id,
                                                       const std::string& grid_worker) {
  return OneRow(tx.Exec(absl::StrCat("UPDATE quarantine.persons_of_interest p "
                                     "SET grid_worker = $2 WHERE p.person_id = $1 RETURNING ",
                                     kColumns),
                        {person_id, grid_worker}));
}

absl::StatusOr<PersonRow> PgPersonStore::SetRiskLevel(common::PgConn& tx,
                                                      const std::string& person_id,
                                                      int risk_level) {
  return OneRow(tx.Exec(absl::StrCat("UPDATE quarantine.persons_of_interest p "
                                     "SET risk_level = $2 WHERE p.person_id = $1 RETURNING ",
                                     kColumns),
                        {person_id, absl::StrCat(risk_level)}));
}

absl::StatusOr<PersonRow> PgPersonStore::Close(common::PgConn& tx, const std::string& person_id,
                                               const std::string& closed_by,
                                               const std::string& note, absl::Time now) {
  const std::string closed_at = common::Rfc3339Micros(now);
  return OneRow(
      tx.Exec(absl::StrCat("UPDATE quarantine.persons_of_interest p "
                           "SET closed_at = $2::timestamptz, closed_by = $3, close_note = $4 "
                           "WHERE p.person_id = $1 RETURNING ",
                           kColumns),
              {person_id, closed_at, closed_by, note}));
}

}  // namespace fangxian::quarantine
