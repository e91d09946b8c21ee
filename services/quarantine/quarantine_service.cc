#include "services/quarantine/quarantine_service.h"

namespace fangxian::quarantine {
namespace {

// Who may record a person to follow up: admins, grid workers doing sweeps, checkpoint
// registrars and other government systems.
const common::AuthRule kCreatePersonOfInterest{
    {"subdistrict_admin", "community_admin", "grid_worker", "info_registrar", "service"}};
// Who may read one: this is health follow-up data, so only admins, grid workers, auditors
// and other government systems; not checkpoint staff, not volunteers.
const common::AuthRule kGetPersonOfInterest{
    {"subdistrict_admin", "community_admin", "grid_worker", "auditor", "service"}};

}  // namespace

grpc::ServerUnaryReactor* QuarantineService::CreatePersonOfInterest(
    grpc::CallbackServerContext* ctx, const v1::CreatePersonOfInterestRequest* request,
    v1::PersonOfInterest* response) {
  return runtime_.Unary(ctx, kCreatePersonOfInterest, [this, request, response](const auto& call) {
    return common::Reply(persons_.Create(call, request->person(), runtime_.Now()), response);
  });
}

grpc::ServerUnaryReactor* QuarantineService::GetPersonOfInterest(
    grpc::CallbackServerContext* ctx, const v1::GetPersonOfInterestRequest* request,
    v1::PersonOfInterest* response) {
  return runtime_.Unary(ctx, kGetPersonOfInterest, [this, request, response](const auto& call) {
    return common::Reply(persons_.Get(call, request->person_id()), response);
  });
}

}  // namespace fangxian::quarantine
