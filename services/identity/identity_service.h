// gRPC glue of the identity service: authorisation rules per method and the hand-off of
// each call to the business logic on the worker pool.
#ifndef FANGXIAN_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
#define FANGXIAN_SERVICES_IDENTITY_IDENTITY_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/passes.h"
#include "services/identity/residents.h"
#include "services/identity/sessions.h"
#include "services/identity/staff.h"

namespace fangxian::identity {

class IdentityService final : public v1::IdentityService::CallbackService {
 public:
  IdentityService(common::RpcRuntime& runtime, common::PgPool& pg, Residents& residents,
                  Passes& passes, StaffAccounts& staff, Sessions& sessions)
      : runtime_(runtime),
        pg_(pg),
        residents_(residents),
        passes_(passes),
        staff_(staff),
        sessions_(sessions) {}

  grpc::ServerUnaryReactor* CreateResident(grpc::CallbackServerContext* ctx,
                                           const v1::CreateResidentRequest* request,
                                           v1::Resident* response) override;
  grpc::ServerUnaryReactor* GetResident(grpc::CallbackServerContext* ctx,
                                        const v1::GetResidentRequest* request,
                                        v1::Resident* response) override;
  grpc::ServerUnaryReactor* GetResidentUnmasked(grpc::CallbackServerContext* ctx,
                                                const v1::GetResidentUnmaskedRequest* request,
                                                v1::Resident* response) override;
  grpc::ServerUnaryReactor* UpdateResident(grpc::CallbackServerContext* ctx,
                                           const v1::UpdateResidentRequest* request,
                                           v1::Resident* response) override;
  grpc::ServerUnaryReactor* MoveOutResident(grpc::CallbackServerContext* ctx,
                                            const v1::MoveOutResidentRequest* request,
                                            v1::Resident* response) override;
  grpc::ServerUnaryReactor* SearchResidents(grpc::CallbackServerContext* ctx,
                                            const v1::SearchResidentsRequest* request,
                                            v1::SearchResidentsResponse* response) override;
  grpc::ServerUnaryReactor* RegisterVisitor(grpc::CallbackServerContext* ctx,
                                            const v1::RegisterVisitorRequest* request,
                                            v1::Resident* response) override;
  grpc::ServerUnaryReactor* IssuePass(grpc::CallbackServerContext* ctx,
                                      const v1::IssuePassRequest* request,
                                      v1::Pass* response) override;
  grpc::ServerUnaryReactor* ResolvePass(grpc::CallbackServerContext* ctx,
                                        const v1::ResolvePassRequest* request,
                                        v1::PersonSummary* response) override;
  grpc::ServerUnaryReactor* ResolveIdNumber(grpc::CallbackServerContext* ctx,
                                            const v1::ResolveIdNumberRequest* request,
                                            v1::PersonSummary* response) override;
  grpc::ServerUnaryReactor* ListAuditEntries(grpc::CallbackServerContext* ctx,
                                             const v1::ListAuditEntriesRequest* request,
                                             v1::ListAuditEntriesResponse* response) override;
  grpc::ServerUnaryReactor* CreateStaffAccount(grpc::CallbackServerContext* ctx,
                                               const v1::CreateStaffAccountRequest* request,
                                               v1::StaffAccount* response) override;
  grpc::ServerUnaryReactor* GetStaffAccount(grpc::CallbackServerContext* ctx,
                                            const v1::GetStaffAccountRequest* request,
                                            v1::StaffAccount* response) override;
  grpc::ServerUnaryReactor* SetStaffAccountDisabled(
      grpc::CallbackServerContext* ctx, const v1::SetStaffAccountDisabledRequest* request,
      v1::StaffAccount* response) override;
  grpc::ServerUnaryReactor* GrantRole(grpc::CallbackServerContext* ctx,
                                      const v1::GrantRoleRequest* request,
                                      v1::StaffAccount* response) override;
  grpc::ServerUnaryReactor* RevokeRole(grpc::CallbackServerContext* ctx,
                                       const v1::RevokeRoleRequest* request,
                                       v1::StaffAccount* response) override;
  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* request,
                                  v1::Session* response) override;
  grpc::ServerUnaryReactor* RefreshSession(grpc::CallbackServerContext* ctx,
                                           const v1::RefreshSessionRequest* request,
                                           v1::Session* response) override;
  grpc::ServerUnaryReactor* Logout(grpc::CallbackServerContext* ctx,
                                   const v1::LogoutRequest* request,
                                   v1::LogoutResponse* response) override;
  grpc::ServerUnaryReactor* RevokeAllSessions(grpc::CallbackServerContext* ctx,
                                              const v1::RevokeAllSessionsRequest* request,
                                              v1::RevokeAllSessionsResponse* response) override;
  grpc::ServerUnaryReactor* GetPublicKeys(grpc::CallbackServerContext* ctx,
                                          const v1::GetPublicKeysRequest* request,
                                          v1::PublicKeys* response) override;

 private:
  common::RpcRuntime& runtime_;
  common::PgPool& pg_;
  Residents& residents_;
  Passes& passes_;
  StaffAccounts& staff_;
  Sessions& sessions_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
