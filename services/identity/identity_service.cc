#include "services/identity/identity_service.h"

namespace fangxian::identity {
namespace {

// Who may register residents: admins and the staff who meet people at the door.
const common::AuthRule kCreateResident{
    {"subdistrict_admin", "community_admin", "info_registrar", "grid_worker"}};
// Who may look a resident up (masked): staff working checkpoints, follow-up and audit,
// and other government systems.
const common::AuthRule kGetResident{
    {"subdistrict_admin", "community_admin", "shift_leader", "temperature_monitor", "code_verifier",
     "order_keeper", "info_registrar", "inspector", "grid_worker", "auditor", "service"}};

}  // namespace

grpc::ServerUnaryReactor* IdentityService::CreateResident(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateResidentRequest* request,
                                                          v1::Resident* response) {
  return runtime_.Unary(ctx, kCreateResident, [this, request, response](const auto& call) {
    auto r = residents_.Create(call, request->resident(), runtime_.Now());
    if (r.ok()) *response = std::move(*r);
    return r.status();
  });
}

grpc::ServerUnaryReactor* IdentityService::GetResident(grpc::CallbackServerContext* ctx,
                                                       const v1::GetResidentRequest* request,
                                                       v1::Resident* response) {
  return runtime_.Unary(ctx, kGetResident, [this, request, response](const auto& call) {
    auto r = residents_.Get(call, request->resident_id());
    if (r.ok()) *response = std::move(*r);
    return r.status();
  });
}

}  // namespace fangxian::identity
