#include "services/identity/staff.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "common/log.h"
#include "common/validate.h"
#include "google/protobuf/util/time_util.h"
#include "services/identity/password.h"
#include "services/identity/sessions.h"

namespace fangxian::identity {
namespace {

const std::vector<absl::string_view> kSubdistrictAdmin = {"subdistrict_admin"};

bool IsUsername(absl::string_view u) {
  if (u.size() < 3 || u.size() > 32) return false;
  for (char c : u) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '_' || c == '-')) {
      return false;
    }
  }
  return true;
}

// Roles that only a subdistrict admin may hand out (they manage accounts themselves).
bool IsAdminRole(absl::string_view role) {
  return role == "subdistrict_admin" || role == "community_admin";
}

absl::Status AccountNotFound() { return absl::NotFoundError("no such staff account"); }

}  // namespace

const std::vector<absl::string_view> kAccountAdminRoles = {"subdistrict_admin", "community_admin"};

absl::Status ValidateNewStaffAccount(const v1::CreateStaffAccountRequest& in) {
  if (!IsUsername(absl::AsciiStrToLower(in.username()))) {
    return absl::InvalidArgumentError(
        "username must be 3 to 32 characters of a-z, 0-9, '.', '_' and '-'");
  }
  if (auto s = common::RequireText("display_name", in.display_name(), 64); !s.ok()) return s;
  if (in.kind() == v1::STAFF_KIND_UNSPECIFIED || !v1::StaffKind_IsValid(in.kind())) {
    return absl::InvalidArgumentError(
        "kind is required (cadre, party member, municipal "
        "staff, volunteer or service)");
  }
  if (auto s = common::RequireAreaPath("area_code", in.area_code()); !s.ok()) return s;
  if (in.kind() == v1::STAFF_KIND_RESIDENT) {
    if (auto s = common::RequireUuid("resident_id", in.resident_id()); !s.ok()) return s;
  } else if (!in.resident_id().empty()) {
    return absl::InvalidArgumentError("resident_id is only for accounts of kind RESIDENT");
  }
  return ValidatePassword(in.password());
}

absl::Status ValidateGrant(const v1::RoleGrant& grant) {
  if (common::IsKnownPermission(grant.role())) {
    if (!grant.area_code().empty()) {
      return absl::InvalidArgumentError("grant.area_code must be empty for a permission");
    }
    return absl::OkStatus();
  }
  if (!common::IsKnownRole(grant.role())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "grant.role \"", grant.role(), "\" is neither a role of DESIGN.md nor a permission"));
  }
  return common::RequireAreaPath("grant.area_code", grant.area_code());
}

v1::StaffAccount ToProto(const StaffRow& row) {
  v1::StaffAccount out;
  out.set_account_id(row.account_id);
  out.set_username(row.username);
  out.set_display_name(row.display_name);
  out.set_kind(static_cast<v1::StaffKind>(row.kind));
  out.set_area_code(row.area_code);
  out.set_disabled(row.disabled);
  out.set_resident_id(row.resident_id);
  for (const GrantRow& g : row.grants) {
    auto* grant = out.add_grants();
    grant->set_role(g.role);
    grant->set_area_code(g.area_code);
  }
  *out.mutable_create_time() =
      google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(row.created_at_micros);
  return out;
}

absl::StatusOr<v1::StaffAccount> StaffAccounts::Create(const common::CallContext& call,
                                                       const v1::CreateStaffAccountRequest& in) {
  if (auto s = ValidateNewStaffAccount(in); !s.ok()) return s;
  if (auto s = common::RequireScope(call, "area_code", in.area_code()); !s.ok()) return s;
  if (in.kind() == v1::STAFF_KIND_RESIDENT) {
    // The resident must exist where the account says, within the caller's scope.
    absl::StatusOr<ResidentRow> resident = residents_.Get(in.resident_id());
    if (absl::IsNotFound(resident.status()) ||
        (resident.ok() && resident->area_code != in.area_code())) {
      return absl::FailedPreconditionError(
          "resident_id must name a registered resident living at area_code");
    }
    if (!resident.ok()) return resident.status();
  }
  absl::StatusOr<std::string> hash = HashPassword(in.password());
  if (!hash.ok()) return hash.status();
  StaffRow row;
  row.resident_id = in.resident_id();
  row.username = absl::AsciiStrToLower(in.username());
  row.display_name = in.display_name();
  row.kind = in.kind();
  row.area_code = in.area_code();
  row.password_hash = *std::move(hash);
  row.created_by = call.principal.subject;
  absl::StatusOr<StaffRow> stored = store_.Insert(
      row, AuditFor(call, "staff_account.create", "staff_account", "", row.area_code));
  if (!stored.ok()) return stored.status();
  return ToProto(*stored);
}

absl::StatusOr<StaffRow> StaffAccounts::Managed(const common::CallContext& call,
                                                const std::string& account_id) {
  if (auto s = common::RequireUuid("account_id", account_id); !s.ok()) return s;
  absl::StatusOr<StaffRow> account = store_.Get(account_id);
  if (!account.ok()) return account.status();
  if (!call.principal.CoversArea(account->area_code, kAccountAdminRoles)) {
    return AccountNotFound();
  }
  return account;
}

absl::StatusOr<v1::StaffAccount> StaffAccounts::Get(const common::CallContext& call,
                                                    const std::string& account_id) {
  // Everyone may read their own account; admins those of their areas.
  if (account_id == call.principal.subject) {
    absl::StatusOr<StaffRow> self = store_.Get(account_id);
    if (!self.ok()) return self.status();
    return ToProto(*self);
  }
  absl::StatusOr<StaffRow> account = Managed(call, account_id);
  if (!account.ok()) return account.status();
  return ToProto(*account);
}

absl::StatusOr<v1::StaffAccount> StaffAccounts::SetDisabled(const common::CallContext& call,
                                                            const std::string& account_id,
                                                            bool disabled, absl::Time now) {
  if (account_id == call.principal.subject && disabled) {
    return absl::FailedPreconditionError("you cannot disable your own account");
  }
  absl::StatusOr<StaffRow> account = Managed(call, account_id);
  if (!account.ok()) return account.status();
  if (auto s = store_.SetDisabled(
          account_id, disabled,
          AuditFor(call, disabled ? "staff_account.disable" : "staff_account.enable",
                   "staff_account", account_id, account->area_code));
      !s.ok()) {
    return s;
  }
  if (disabled) {
    absl::StatusOr<int> ended = sessions_.EndAll(account_id, "account disabled", now);
    if (!ended.ok()) return ended.status();
  }
  account->disabled = disabled;
  return ToProto(*account);
}

absl::Status StaffAccounts::MayGrant(const common::CallContext& call, const StaffRow& account,
                                     const v1::RoleGrant& grant) {
  if (auto s = ValidateGrant(grant); !s.ok()) return s;
  if (account.kind == v1::STAFF_KIND_RESIDENT) {
    return absl::FailedPreconditionError("a resident account holds only the resident role");
  }
  const bool permission = common::IsKnownPermission(grant.role());
  const std::string& area = permission ? account.area_code : grant.area_code();
  // Admin roles and permissions need a subdistrict admin over the area; other roles any
  // account admin over it.
  const auto& needed =
      permission || IsAdminRole(grant.role()) ? kSubdistrictAdmin : kAccountAdminRoles;
  if (!call.principal.CoversArea(area, needed)) {
    return absl::PermissionDeniedError(
        absl::StrCat("granting ", grant.role(), " over ", area, " needs ",
                     &needed == &kSubdistrictAdmin ? "a subdistrict admin" : "an admin",
                     " grant covering that area"));
  }
  return absl::OkStatus();
}

absl::StatusOr<StaffAccounts::GrantChange> StaffAccounts::PrepareGrantChange(
    const common::CallContext& call, const std::string& account_id, const v1::RoleGrant& grant,
    const char* action) {
  absl::StatusOr<StaffRow> account = Managed(call, account_id);
  if (!account.ok()) return account.status();
  if (auto s = MayGrant(call, *account, grant); !s.ok()) return s;
  GrantChange change{*std::move(account), GrantRow{grant.role(), grant.area_code()}, {}};
  change.audit = AuditFor(call, action, "staff_account", account_id, change.account.area_code);
  change.audit.details = absl::StrCat(
      change.grant.role, " over ", change.grant.area_code.empty() ? "-" : change.grant.area_code);
  return change;
}

absl::StatusOr<v1::StaffAccount> StaffAccounts::Grant(const common::CallContext& call,
                                                      const std::string& account_id,
                                                      const v1::RoleGrant& grant) {
  auto change = PrepareGrantChange(call, account_id, grant, "staff_account.grant");
  if (!change.ok()) return change.status();
  if (auto s = store_.AddGrant(account_id, change->grant, change->audit); !s.ok()) return s;
  change->account.grants.push_back(change->grant);
  return ToProto(change->account);
}

absl::StatusOr<v1::StaffAccount> StaffAccounts::Revoke(const common::CallContext& call,
                                                       const std::string& account_id,
                                                       const v1::RoleGrant& grant) {
  auto change = PrepareGrantChange(call, account_id, grant, "staff_account.revoke");
  if (!change.ok()) return change.status();
  if (auto s = store_.RemoveGrant(account_id, change->grant, change->audit); !s.ok()) return s;
  std::vector<GrantRow>& grants = change->account.grants;
  const GrantRow& row = change->grant;
  grants.erase(std::remove_if(grants.begin(), grants.end(),
                              [&](const GrantRow& g) {
                                return g.role == row.role && g.area_code == row.area_code;
                              }),
               grants.end());
  return ToProto(change->account);
}

absl::StatusOr<int> StaffAccounts::RevokeAllSessions(const common::CallContext& call,
                                                     const std::string& account_id,
                                                     absl::Time now) {
  if (account_id != call.principal.subject) {
    absl::StatusOr<StaffRow> account = Managed(call, account_id);
    if (!account.ok()) return account.status();
  } else if (auto s = common::RequireUuid("account_id", account_id); !s.ok()) {
    return s;
  }
  return sessions_.EndAll(account_id, "revoked", now);
}

absl::Status StaffAccounts::EnsureBootstrapAdmin(const std::string& username,
                                                 const std::string& password,
                                                 const std::string& area_code) {
  absl::StatusOr<int64_t> count = store_.CountAccounts();
  if (!count.ok()) return count.status();
  if (*count > 0) return absl::OkStatus();
  absl::StatusOr<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  StaffRow row;
  row.username = username;
  row.display_name = "Bootstrap administrator";
  row.kind = v1::STAFF_KIND_CADRE;
  row.area_code = area_code;
  row.password_hash = *std::move(hash);
  row.created_by = "bootstrap";
  AuditEntry audit;
  audit.actor = "bootstrap";
  audit.action = "staff_account.create";
  audit.subject_type = "staff_account";
  audit.area_code = area_code;
  absl::StatusOr<StaffRow> stored = store_.Insert(row, audit);
  if (absl::IsAlreadyExists(stored.status())) return absl::OkStatus();  // another replica won
  if (!stored.ok()) return stored.status();
  audit.action = "staff_account.grant";
  audit.subject_id = stored->account_id;
  audit.details = "subdistrict_admin over " + area_code;
  if (auto s = store_.AddGrant(stored->account_id, GrantRow{"subdistrict_admin", area_code}, audit);
      !s.ok() && !absl::IsAlreadyExists(s)) {
    return s;
  }
  common::LogInfo("created the bootstrap administrator",
                  {{"username", username}, {"area_code", area_code}});
  return absl::OkStatus();
}

}  // namespace fangxian::identity
