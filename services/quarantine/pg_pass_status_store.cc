#include "absl/strings/numbers.h"
#include "common/time_text.h"
#include "services/quarantine/access.h"
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

absl::StatusOr<bool> PgPassStatusStore::SharesActiveOrder(const std::string& member_id,
                                                          const std::string& resident_id,
                                                          absl::CivilDay today) {
  auto conn = pool_.Acquire();
  if (!conn.ok()) return conn.status();
  absl::StatusOr<std::optional<std::string>> order =
      SharedActiveOrder(*conn, member_id, resident_id, today);
  if (!order.ok()) return order.status();
  return order->has_value();
}

}  // namespace fangxian::quarantine
