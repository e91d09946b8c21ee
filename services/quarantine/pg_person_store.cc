#include "absl/strings/numbers.h"
#include "services/quarantine/person_store.h"

namespace fangxian::quarantine {
namespace {

constexpr char kColumns[] =
    "person_id, resident_id, category, source, area_code, origin_region, "
    "coalesce(to_char(arrival_date, 'YYYY-MM-DD'), ''), created_by, "
    "(extract(epoch from created_at) * 1000000)::int8";

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
  return row;
}

}  // namespace

absl::StatusOr<PersonRow> PgPersonStore::Insert(const PersonRow& row) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  const common::PgParam arrival =
      row.arrival_date.empty() ? std::nullopt : common::PgParam(row.arrival_date);
  auto r = conn->Exec(
      std::string("INSERT INTO quarantine.persons_of_interest (resident_id, category, source, "
                  "area_code, origin_region, arrival_date, created_by) "
                  "VALUES ($1, $2, $3, $4, $5, $6::date, $7) RETURNING ") +
          kColumns,
      {row.resident_id, std::to_string(row.category), std::to_string(row.source), row.area_code,
       row.origin_region, arrival, row.created_by});
  if (!r.ok()) return r.status();
  return RowFrom(*r, 0);
}

absl::StatusOr<PersonRow> PgPersonStore::Get(const std::string& person_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(std::string("SELECT ") + kColumns +
                          " FROM quarantine.persons_of_interest WHERE person_id = $1",
                      {person_id});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return absl::NotFoundError("no person of interest with this person_id");
  return RowFrom(*r, 0);
}

}  // namespace fangxian::quarantine
