#include "services/identity/identity_service.h"

namespace fangxian::identity {
namespace {

using common::Reply;

// Who may register and change residents: admins and the staff who meet people at the door.
const common::AuthRule kCreateResident{
    {"subdistrict_admin", "community_admin", "info_registrar", "grid_worker"}};
// Who may look a resident up (masked): staff working checkpoints, follow-up and audit,
// and other government systems.
const common::AuthRule kGetResident{
    {"subdistrict_admin", "community_admin", "shift_leader", "temperature_monitor", "code_verifier",
     "order_keeper", "info_registrar", "inspector", "grid_worker", "auditor", "service"}};
// Who may register visitors: the checkpoint staff who meet them at the gate, and admins.
const common::AuthRule kRegisterVisitor{
    {"subdistrict_admin", "community_admin", "shift_leader", "code_verifier", "info_registrar"}};

// Passes: issued by registrars (and residents for themselves), resolved by the staff at
// checkpoint gates and by other government systems.
const common::AuthRule kIssuePass{
    {"subdistrict_admin", "community_admin", "info_registrar", "grid_worker", "resident"}};
const common::AuthRule kResolve{{"subdistrict_admin", "community_admin", "shift_leader",
                                 "temperature_monitor", "code_verifier", "order_keeper",
                                 "info_registrar", "inspector", "service"}};

// Account management: admins, within the areas of their admin grants.
const common::AuthRule kManageAccounts{{"subdistrict_admin", "community_admin"}};
// Any staff or service account (self-service calls: own account, own sessions).
const common::AuthRule kAnyAccount{{}};

}  // namespace

grpc::ServerUnaryReactor* IdentityService::GetResidentUnmasked(
    grpc::CallbackServerContext* ctx, const v1::GetResidentUnmaskedRequest* request,
    v1::Resident* response) {
  return runtime_.Unary(ctx, kGetResident, [this, request, response](const auto& call) {
    return Reply(residents_.GetUnmasked(call, request->resident_id(), request->purpose()),
                 response);
  });
}

grpc::ServerUnaryReactor* IdentityService::IssuePass(grpc::CallbackServerContext* ctx,
                                                     const v1::IssuePassRequest* request,
                                                     v1::Pass* response) {
  return runtime_.Unary(ctx, kIssuePass, [this, request, response](const auto& call) {
    return Reply(passes_.Issue(call, request->resident_id(), runtime_.Now()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::ResolvePass(grpc::CallbackServerContext* ctx,
                                                       const v1::ResolvePassRequest* request,
                                                       v1::PersonSummary* response) {
  return runtime_.UnaryWithFastPath(
      ctx, kResolve,
      [this, request, response](const auto&) -> std::optional<absl::Status> {
        auto answer = passes_.TryResolveFromMemory(request->token(), runtime_.Now());
        if (!answer) return std::nullopt;
        return Reply(*std::move(answer), response);
      },
      [this, request, response](const auto&) {
        return Reply(passes_.Resolve(request->token(), runtime_.Now()), response);
      });
}

grpc::ServerUnaryReactor* IdentityService::ResolveIdNumber(
    grpc::CallbackServerContext* ctx, const v1::ResolveIdNumberRequest* request,
    v1::PersonSummary* response) {
  return runtime_.Unary(ctx, kResolve, [this, request, response](const auto&) {
    return Reply(passes_.ResolveIdNumber(request->id_number(), runtime_.Now()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::ListAuditEntries(
    grpc::CallbackServerContext* ctx, const v1::ListAuditEntriesRequest* request,
    v1::ListAuditEntriesResponse* response) {
  return runtime_.Unary(ctx, common::AuthRule{kAuditReaderRoles},
                        [this, request, response](const auto& call) {
                          return Reply(ListAudit(pg_, call, *request), response);
                        });
}

grpc::ServerUnaryReactor* IdentityService::CreateStaffAccount(
    grpc::CallbackServerContext* ctx, const v1::CreateStaffAccountRequest* request,
    v1::StaffAccount* response) {
  return runtime_.Unary(ctx, kManageAccounts, [this, request, response](const auto& call) {
    return Reply(staff_.Create(call, *request), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::GetStaffAccount(
    grpc::CallbackServerContext* ctx, const v1::GetStaffAccountRequest* request,
    v1::StaffAccount* response) {
  return runtime_.Unary(ctx, kAnyAccount, [this, request, response](const auto& call) {
    return Reply(staff_.Get(call, request->account_id()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::SetStaffAccountDisabled(
    grpc::CallbackServerContext* ctx, const v1::SetStaffAccountDisabledRequest* request,
    v1::StaffAccount* response) {
  return runtime_.Unary(ctx, kManageAccounts, [this, request, response](const auto& call) {
    return Reply(
        staff_.SetDisabled(call, request->account_id(), request->disabled(), runtime_.Now()),
        response);
  });
}

grpc::ServerUnaryReactor* IdentityService::GrantRole(grpc::CallbackServerContext* ctx,
                                                     const v1::GrantRoleRequest* request,
                                                     v1::StaffAccount* response) {
  return runtime_.Unary(ctx, kManageAccounts, [this, request, response](const auto& call) {
    return Reply(staff_.Grant(call, request->account_id(), request->grant()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::RevokeRole(grpc::CallbackServerContext* ctx,
                                                      const v1::RevokeRoleRequest* request,
                                                      v1::StaffAccount* response) {
  return runtime_.Unary(ctx, kManageAccounts, [this, request, response](const auto& call) {
    return Reply(staff_.Revoke(call, request->account_id(), request->grant()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::Login(grpc::CallbackServerContext* ctx,
                                                 const v1::LoginRequest* request,
                                                 v1::Session* response) {
  return runtime_.UnaryPublic(ctx, [this, request, response](const auto&) {
    return Reply(sessions_.Login(request->username(), request->password(), runtime_.Now()),
                 response);
  });
}

grpc::ServerUnaryReactor* IdentityService::RefreshSession(grpc::CallbackServerContext* ctx,
                                                          const v1::RefreshSessionRequest* request,
                                                          v1::Session* response) {
  return runtime_.UnaryPublic(ctx, [this, request, response](const auto&) {
    return Reply(sessions_.Refresh(request->refresh_token(), runtime_.Now()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::Logout(grpc::CallbackServerContext* ctx,
                                                  const v1::LogoutRequest*, v1::LogoutResponse*) {
  return runtime_.Unary(ctx, kAnyAccount, [this](const auto& call) {
    return sessions_.Logout(call, runtime_.Now());
  });
}

grpc::ServerUnaryReactor* IdentityService::RevokeAllSessions(
    grpc::CallbackServerContext* ctx, const v1::RevokeAllSessionsRequest* request,
    v1::RevokeAllSessionsResponse* response) {
  return runtime_.Unary(ctx, kAnyAccount, [this, request, response](const auto& call) {
    absl::StatusOr<int> ended =
        staff_.RevokeAllSessions(call, request->account_id(), runtime_.Now());
    if (ended.ok()) response->set_sessions_ended(*ended);
    return ended.status();
  });
}

grpc::ServerUnaryReactor* IdentityService::GetPublicKeys(grpc::CallbackServerContext* ctx,
                                                         const v1::GetPublicKeysRequest*,
                                                         v1::PublicKeys* response) {
  return runtime_.UnaryPublic(ctx, [this, response](const auto&) {
    *response = sessions_.PublicKeys();
    return absl::OkStatus();
  });
}

grpc::ServerUnaryReactor* IdentityService::CreateResident(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateResidentRequest* request,
                                                          v1::Resident* response) {
  return runtime_.Unary(ctx, kCreateResident, [this, request, response](const auto& call) {
    return Reply(residents_.Create(call, request->resident(), runtime_.Now()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::GetResident(grpc::CallbackServerContext* ctx,
                                                       const v1::GetResidentRequest* request,
                                                       v1::Resident* response) {
  return runtime_.Unary(ctx, kGetResident, [this, request, response](const auto& call) {
    return Reply(residents_.Get(call, request->resident_id()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::UpdateResident(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateResidentRequest* request,
                                                          v1::Resident* response) {
  return common::Dispatch(runtime_, ctx, kCreateResident, residents_, &Residents::Update, request,
                          response);
}

grpc::ServerUnaryReactor* IdentityService::MoveOutResident(
    grpc::CallbackServerContext* ctx, const v1::MoveOutResidentRequest* request,
    v1::Resident* response) {
  return runtime_.Unary(ctx, kCreateResident, [this, request, response](const auto& call) {
    return Reply(residents_.MoveOut(call, *request, runtime_.Now()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::SearchResidents(
    grpc::CallbackServerContext* ctx, const v1::SearchResidentsRequest* request,
    v1::SearchResidentsResponse* response) {
  return runtime_.Unary(ctx, kGetResident, [this, request, response](const auto& call) {
    return Reply(residents_.Search(call, *request, runtime_.Now()), response);
  });
}

grpc::ServerUnaryReactor* IdentityService::RegisterVisitor(
    grpc::CallbackServerContext* ctx, const v1::RegisterVisitorRequest* request,
    v1::Resident* response) {
  return runtime_.Unary(ctx, kRegisterVisitor, [this, request, response](const auto& call) {
    return Reply(residents_.RegisterVisitor(call, *request, runtime_.Now()), response);
  });
}

}  // namespace fangxian::identity
