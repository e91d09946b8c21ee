#include "services/quarantine/access.h"

#include "absl/strings/numbers.h"
#include "common/time_text.h"
#include "common/validate.h"

namespace fangxian::quarantine {

bool IsResident(const common::CallContext& call) { return call.principal.kind == "resident"; }

bool IsResidentSelf(const common::CallContext& call, absl::string_view resident_id) {
  return IsResident(call) && call.principal.subject == resident_id;
}

std::vector<absl::string_view> StaffRoles(const common::CallContext& call) {
  std::vector<absl::string_view> roles;
  for (absl::string_view r : call.roles) {
    if (r != "resident") roles.push_back(r);
  }
  // No roles would mean "any role" to Principal::CoversArea: name one no grant has.
  if (roles.empty()) roles.push_back("");
  return roles;
}

common::CallContext StaffCall(const common::CallContext& call) {
  common::CallContext staff = call;
  staff.roles = StaffRoles(call);
  return staff;
}

absl::StatusOr<std::optional<MemberOrder>> ActiveOrderOfMember(common::PgConn& conn,
                                                               const std::string& resident_id,
                                                               absl::CivilDay today) {
  auto r = conn.Exec(
      "SELECT o.order_id, o.household_id, o.area_code, o.checkins_per_day "
      "FROM quarantine.isolation_orders o "
      "JOIN quarantine.isolation_order_members m ON m.order_id = o.order_id "
      "WHERE m.resident_id = $1 AND o.released_at IS NULL AND o.start_date <= $2::date "
      "ORDER BY o.start_date, o.order_id LIMIT 1",
      {resident_id, common::IsoDate(today)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::nullopt;
  MemberOrder order;
  order.order_id = std::string(r->Get(0, 0));
  order.household_id = std::string(r->Get(0, 1));
  order.area_code = std::string(r->Get(0, 2));
  (void)absl::SimpleAtoi(r->Get(0, 3), &order.checkins_per_day);
  return order;
}

absl::StatusOr<std::optional<std::string>> SharedActiveOrder(common::PgConn& conn,
                                                             const std::string& member_id,
                                                             const std::string& resident_id,
                                                             absl::CivilDay today) {
  // Token subjects are not checked to be UUIDs; a malformed one shares nothing.
  if (!common::IsUuid(member_id) || !common::IsUuid(resident_id)) return std::nullopt;
  // The member's orders by isolation_order_members_resident_idx, the other person by the
  // primary key (order_id, resident_id).
  auto r = conn.Exec(
      "SELECT o.order_id FROM quarantine.isolation_order_members a "
      "JOIN quarantine.isolation_order_members b "
      "  ON b.order_id = a.order_id AND b.resident_id = $2 "
      "JOIN quarantine.isolation_orders o ON o.order_id = a.order_id "
      "WHERE a.resident_id = $1 AND o.released_at IS NULL AND o.start_date <= $3::date "
      "ORDER BY o.start_date, o.order_id LIMIT 1",
      {member_id, resident_id, common::IsoDate(today)});
  if (!r.ok()) return r.status();
  if (r->rows() == 0) return std::nullopt;
  return std::string(r->Get(0, 0));
}

}  // namespace fangxian::quarantine
