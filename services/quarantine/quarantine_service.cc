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
// Who may read a pass colour: checkpoint staff, follow-up staff, admins and other
// government systems (anyone's, with no area filter: people show their pass at any gate),
// and residents (their own only, checked by PassStatuses::Get).
const common::AuthRule kGetPassStatus{
    {"shift_leader", "temperature_monitor", "code_verifier", "order_keeper", "info_registrar",
     "grid_worker", "community_admin", "subdistrict_admin", "service", "resident"}};

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

grpc::ServerUnaryReactor* QuarantineService::GetPassStatus(grpc::CallbackServerContext* ctx,
                                                           const v1::GetPassStatusRequest* request,
                                                           v1::PassStatus* response) {
  return runtime_.Unary(ctx, kGetPassStatus, [this, request, response](const auto& call) {
    return common::Reply(passes_.Get(call, request->resident_id()), response);
  });
}

}  // namespace fangxian::quarantine
