// Who may act for whom in quarantine's resident-facing methods, in one place: a resident
// for themselves and for the fellow members of an active isolation order they belong to
// (a parent for a child: "their own household"), staff by the area scope of their staff
// grants only (a resident grant never opens staff reads or writes). The membership
// queries behind it are shared by the stores that need them.
#ifndef FANGXIAN_SERVICES_QUARANTINE_ACCESS_H_
#define FANGXIAN_SERVICES_QUARANTINE_ACCESS_H_

#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "common/pg.h"
#include "common/rpc.h"

namespace fangxian::quarantine {

// True when the caller signed in as a resident (token kind "resident").
bool IsResident(const common::CallContext& call);
// True when the caller is the resident `resident_id` signed in.
bool IsResidentSelf(const common::CallContext& call, absl::string_view resident_id);

// The method's roles other than "resident" (when none are left: a role no grant has, so
// nothing is covered).
std::vector<absl::string_view> StaffRoles(const common::CallContext& call);
// `call` with only StaffRoles: scope checks on it (common::RequireScope*, InScope) count
// staff grants only.
common::CallContext StaffCall(const common::CallContext& call);

// An unreleased isolation order one person is a member of.
struct MemberOrder {
  std::string order_id;
  std::string household_id;
  std::string area_code;
  int checkins_per_day = 2;
};

// The active order (unreleased, start_date on or before `today`) `resident_id` is a
// member of; std::nullopt when none. Unreleased orders are at most one per household; the
// oldest wins should data ever say otherwise.
absl::StatusOr<std::optional<MemberOrder>> ActiveOrderOfMember(common::PgConn& conn,
                                                               const std::string& resident_id,
                                                               absl::CivilDay today);

// The id of an active order (as ActiveOrderOfMember) that both `member_id` and
// `resident_id` are members of; std::nullopt when none. One indexed query.
absl::StatusOr<std::optional<std::string>> SharedActiveOrder(common::PgConn& conn,
                                                             const std::string& member_id,
                                                             const std::string& resident_id,
                                                             absl::CivilDay today);

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_ACCESS_H_
