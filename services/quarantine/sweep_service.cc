#include "services/quarantine/sweep_service.h"

namespace fangxian::quarantine {
namespace {

// Who organises a sweep (creates it, opens its rounds): community and subdistrict admins.
const common::AuthRule kOrganiseSweeps{{"community_admin", "subdistrict_admin"}};
// Who records door-to-door outcomes and registrations: the grid workers who knock, and
// the admins.
const common::AuthRule kRecordSweeps{{"grid_worker", "community_admin", "subdistrict_admin"}};
// Who reads sweeps, queues and coverage: the recorders and auditors. Not residents,
// volunteers or checkpoint staff.
const common::AuthRule kReadSweeps{
    {"grid_worker", "community_admin", "subdistrict_admin", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* SweepService::CreateSweep(grpc::CallbackServerContext* ctx,
                                                    const v1::CreateSweepRequest* request,
                                                    v1::Sweep* response) {
  return common::Dispatch(runtime_, ctx, kOrganiseSweeps, sweeps_, &Sweeps::Create, request,
                          response);
}

grpc::ServerUnaryReactor* SweepService::GetSweep(grpc::CallbackServerContext* ctx,
                                                 const v1::GetSweepRequest* request,
                                                 v1::Sweep* response) {
  return common::Dispatch(runtime_, ctx, kReadSweeps, sweeps_, &Sweeps::Get, request, response);
}

grpc::ServerUnaryReactor* SweepService::ListSweeps(grpc::CallbackServerContext* ctx,
                                                   const v1::ListSweepsRequest* request,
                                                   v1::ListSweepsResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadSweeps, sweeps_, &Sweeps::List, request, response);
}

grpc::ServerUnaryReactor* SweepService::StartRound(grpc::CallbackServerContext* ctx,
                                                   const v1::StartRoundRequest* request,
                                                   v1::Round* response) {
  return common::Dispatch(runtime_, ctx, kOrganiseSweeps, sweeps_, &Sweeps::StartRound, request,
                          response);
}

grpc::ServerUnaryReactor* SweepService::RecordVisit(grpc::CallbackServerContext* ctx,
                                                    const v1::RecordVisitRequest* request,
                                                    v1::RecordVisitResponse* response) {
  return common::Dispatch(runtime_, ctx, kRecordSweeps, sweeps_, &Sweeps::RecordVisit, request,
                          response);
}

grpc::ServerUnaryReactor* SweepService::RecordRegistration(
    grpc::CallbackServerContext* ctx, const v1::RecordRegistrationRequest* request,
    v1::Registration* response) {
  return common::Dispatch(runtime_, ctx, kRecordSweeps, sweeps_, &Sweeps::RecordRegistration,
                          request, response);
}

grpc::ServerUnaryReactor* SweepService::ListRevisitQueue(grpc::CallbackServerContext* ctx,
                                                         const v1::ListRevisitQueueRequest* request,
                                                         v1::ListRevisitQueueResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadSweeps, sweeps_, &Sweeps::ListRevisitQueue, request,
                          response);
}

grpc::ServerUnaryReactor* SweepService::GetCoverage(grpc::CallbackServerContext* ctx,
                                                    const v1::GetCoverageRequest* request,
                                                    v1::Coverage* response) {
  return common::Dispatch(runtime_, ctx, kReadSweeps, sweeps_, &Sweeps::GetCoverage, request,
                          response);
}

}  // namespace fangxian::quarantine
