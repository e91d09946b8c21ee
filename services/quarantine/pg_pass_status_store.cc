#include "absl/strings/numbers.h"
#include "common/time_text.h"
#include "services/quarantine/pass_status_store.h"

namespace fangxian::quarantine {
namespace {

// One result row per reason (or a single row with NULL reason columns when there is
// none), in reason order: the reasons come back without parsing a text[] literal.
constexpr char kSelect[] =
    "SELECT p.colour, p.area_code, (extract(epoch from p.updated_at) * 1000000)::int8, "
    "r.code, r.detail "
    "FROM quarantine.pass_status p "
    "LEFT JOIN LATERAL unnest(p.reason_codes, p.reason_details) WITH ORDINALITY "
    "AS r(code, detail, n) ON true "
    "WHERE p.resident_id = $1 ORDER BY r.n";

std::optional<PassStatusRow> RowFrom(const common::PgResult& r, const std::string& resident_id) {
  if (r.rows() == 0) return std::nullopt;
  PassStatusRow row;
  row.resident_id = resident_id;
  (void)absl::SimpleAtoi(r.Get(0, 0), &row.colour);
  row.area_code = std::string(r.Get(0, 1));
  (void)absl::SimpleAtoi(r.Get(0, 2), &row.updated_at_micros);
  for (int i = 0; i < r.rows(); ++i) {
    if (r.IsNull(i, 3)) continue;
    row.reasons.emplace_back(std::string(r.Get(i, 3)), std::string(r.Get(i, 4)));
  }
  return row;
}

}  // namespace

absl::StatusOr<std::optional<PassStatusRow>> PgPassStatusStore::Get(
    const std::string& resident_id) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  auto r = conn->Exec(kSelect, {resident_id});
  if (!r.ok()) return r.status();
  return RowFrom(*r, resident_id);
}

absl::StatusOr<PassStatusRow> PgPassStatusStore::Put(const PassStatusRow& row, absl::Time now) {
  std::vector<std::string> codes;
  std::vector<std::string> details;
  for (const auto& [code, detail] : row.reasons) {
    codes.push_back(code);
    details.push_back(detail);
  }
  const std::string when = common::Rfc3339Micros(now);
  std::optional<PassStatusRow> stored;
  absl::Status s = pool_.Transaction([&](common::PgConn& conn) -> absl::Status {
    auto w = conn.Exec(
        "INSERT INTO quarantine.pass_status AS p "
        "(resident_id, colour, reason_codes, reason_details, area_code, updated_at) "
        "VALUES ($1, $2, $3::text[], $4::text[], $5, $6::timestamptz) "
        "ON CONFLICT (resident_id) DO UPDATE SET colour = EXCLUDED.colour, "
        "reason_codes = EXCLUDED.reason_codes, reason_details = EXCLUDED.reason_details, "
        "area_code = EXCLUDED.area_code, updated_at = CASE WHEN p.colour = EXCLUDED.colour "
        "THEN p.updated_at ELSE EXCLUDED.updated_at END",
        {row.resident_id, std::to_string(row.colour), common::PgTextArray(codes),
         common::PgTextArray(details), row.area_code, when});
    if (!w.ok()) return w.status();
    auto r = conn.Exec(kSelect, {row.resident_id});
    if (!r.ok()) return r.status();
    stored = RowFrom(*r, row.resident_id);
    return absl::OkStatus();
  });
  if (!s.ok()) return s;
  if (!stored) return absl::InternalError("the pass status row vanished after it was written");
  return *std::move(stored);
}

}  // namespace fangxian::quarantine
