// Staff and service accounts and their role grants: the rules of who may manage whom.
#ifndef FANGXIAN_SERVICES_IDENTITY_STAFF_H_
#define FANGXIAN_SERVICES_IDENTITY_STAFF_H_

#include "absl/status/statusor.h"
#include "common/rpc.h"
#include "fangxian/identity/v1/identity.pb.h"
#include "services/identity/resident_store.h"
#include "services/identity/staff_store.h"

namespace fangxian::identity {

class Sessions;

// The roles that manage accounts (within the areas of their grants).
extern const std::vector<absl::string_view> kAccountAdminRoles;

// Checks a new account's fields; INVALID_ARGUMENT naming the field.
absl::Status ValidateNewStaffAccount(const v1::CreateStaffAccountRequest& in);
// Checks a grant's shape: a known role over a valid area, or a known permission with no
// area.
absl::Status ValidateGrant(const v1::RoleGrant& grant);

v1::StaffAccount ToProto(const StaffRow& row);

class StaffAccounts {
 public:
  // `sessions` ends sessions of disabled accounts.
  // `residents` finds the resident a RESIDENT account signs in as.
  StaffAccounts(StaffStore& store, Sessions& sessions, ResidentStore& residents)
      : store_(store), sessions_(sessions), residents_(residents) {}

  absl::StatusOr<v1::StaffAccount> Create(const common::CallContext& call,
                                          const v1::CreateStaffAccountRequest& in);
  absl::StatusOr<v1::StaffAccount> Get(const common::CallContext& call,
                                       const std::string& account_id);
  absl::StatusOr<v1::StaffAccount> SetDisabled(const common::CallContext& call,
                                               const std::string& account_id, bool disabled,
                                               absl::Time now);
  absl::StatusOr<v1::StaffAccount> Grant(const common::CallContext& call,
                                         const std::string& account_id, const v1::RoleGrant& grant);
  absl::StatusOr<v1::StaffAccount> Revoke(const common::CallContext& call,
                                          const std::string& account_id,
                                          const v1::RoleGrant& grant);

  // Ends every session of an account: the caller's own, or one they manage.
  absl::StatusOr<int> RevokeAllSessions(const common::CallContext& call,
                                        const std::string& account_id, absl::Time now);

  // Creates the first subdistrict admin when there is no account at all (start-up).
  absl::Status EnsureBootstrapAdmin(const std::string& username, const std::string& password,
                                    const std::string& area_code);

 private:
  // The account, if the caller may manage it (admin grant over its area); NOT_FOUND
  // otherwise, so accounts outside the scope stay invisible.
  absl::StatusOr<StaffRow> Managed(const common::CallContext& call, const std::string& account_id);
  absl::Status MayGrant(const common::CallContext& call, const StaffRow& account,
                        const v1::RoleGrant& grant);
  // The managed account, the grant and its audit entry, once MayGrant allows it.
  struct GrantChange {
    StaffRow account;
    GrantRow grant;
    AuditEntry audit;
  };
  absl::StatusOr<GrantChange> PrepareGrantChange(const common::CallContext& call,
                                                 const std::string& account_id,
                                                 const v1::RoleGrant& grant, const char* action);

  StaffStore& store_;
  Sessions& sessions_;
  ResidentStore& residents_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_STAFF_H_
