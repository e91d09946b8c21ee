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
// Who assigns the grid worker following a person up: the admins of the area.
const common::AuthRule kAssignGridWorker{{"community_admin", "subdistrict_admin"}};
// Who changes the follow-up itself (risk level, closing): grid workers and admins.
const common::AuthRule kFollowUp{{"grid_worker", "community_admin", "subdistrict_admin"}};
// Who may read a pass colour: checkpoint staff, follow-up staff, admins and other
// government systems (anyone's, with no area filter: people show their pass at any gate),
// and residents (their own, and fellow members' of an active isolation order, checked by
// PassStatuses::Get).
const common::AuthRule kGetPassStatus{
    {"shift_leader", "temperature_monitor", "code_verifier", "order_keeper", "info_registrar",
     "grid_worker", "community_admin", "subdistrict_admin", "service", "resident"}};

}  // namespace

grpc::ServerUnaryReactor* QuarantineService::CreatePersonOfInterest(
    grpc::CallbackServerContext* ctx, const v1::CreatePersonOfInterestRequest* request,
    v1::PersonOfInterest* response) {
  return common::Dispatch(runtime_, ctx, kCreatePersonOfInterest, persons_,
                          &PersonsOfInterest::Create, request, response);
}

grpc::ServerUnaryReactor* QuarantineService::GetPersonOfInterest(
    grpc::CallbackServerContext* ctx, const v1::GetPersonOfInterestRequest* request,
    v1::PersonOfInterest* response) {
  return common::Dispatch(runtime_, ctx, kGetPersonOfInterest, persons_, &PersonsOfInterest::Get,
                          request, response);
}

grpc::ServerUnaryReactor* QuarantineService::ListPersonsOfInterest(
    grpc::CallbackServerContext* ctx, const v1::ListPersonsOfInterestRequest* request,
    v1::ListPersonsOfInterestResponse* response) {
  return common::Dispatch(runtime_, ctx, kGetPersonOfInterest, persons_, &PersonsOfInterest::List,
                          request, response);
}

grpc::ServerUnaryReactor* QuarantineService::AssignGridWorker(
    grpc::CallbackServerContext* ctx, const v1::AssignGridWorkerRequest* request,
    v1::PersonOfInterest* response) {
  return common::Dispatch(runtime_, ctx, kAssignGridWorker, persons_,
                          &PersonsOfInterest::AssignGridWorker, request, response);
}

grpc::ServerUnaryReactor* QuarantineService::SetRiskLevel(grpc::CallbackServerContext* ctx,
                                                          const v1::SetRiskLevelRequest* request,
                                                          v1::PersonOfInterest* response) {
  return common::Dispatch(runtime_, ctx, kFollowUp, persons_, &PersonsOfInterest::SetRiskLevel,
                          request, response);
}

grpc::ServerUnaryReactor* QuarantineService::ClosePersonOfInterest(
    grpc::CallbackServerContext* ctx, const v1::ClosePersonOfInterestRequest* request,
    v1::PersonOfInterest* response) {
  return common::Dispatch(runtime_, ctx, kFollowUp, persons_, &PersonsOfInterest::Close, request,
                          response);
}

grpc::ServerUnaryReactor* QuarantineService::GetPassStatus(grpc::CallbackServerContext* ctx,
                                                           const v1::GetPassStatusRequest* request,
                                                           v1::PassStatus* response) {
  // A row still in memory is answered on the gRPC thread (the checkpoint hot path's
  // fallback, and residents refreshing their pass).
  return runtime_.UnaryWithFastPath(
      ctx, kGetPassStatus,
      [this, request, response](const auto& call) -> std::optional<absl::Status> {
        auto answer = passes_.TryGetFromMemory(call, request->resident_id(), runtime_.Now());
        if (!answer) return std::nullopt;
        return common::Reply(*std::move(answer), response);
      },
      [this, request, response](const auto& call) {
        return common::Reply(passes_.Get(call, request->resident_id(), runtime_.Now()), response);
      });
}

}  // namespace fangxian::quarantine
