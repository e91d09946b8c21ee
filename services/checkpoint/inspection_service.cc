#include "services/checkpoint/inspection_service.h"

namespace fangxian::checkpoint {
namespace {

using common::Dispatch;

// Who records inspections: the inspection and supervision teams, and the subdistrict.
const common::AuthRule kRecord{{"inspector", "subdistrict_admin"}};
// Who reads them: inspectors, admins, the shift leaders who put findings right, auditors.
const common::AuthRule kList{
    {"inspector", "subdistrict_admin", "community_admin", "shift_leader", "auditor"}};
// Who reads rankings: inspectors, admins and auditors.
const common::AuthRule kRank{{"inspector", "subdistrict_admin", "community_admin", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* InspectionService::RecordInspection(
    grpc::CallbackServerContext* ctx, const v1::RecordInspectionRequest* request,
    v1::Inspection* response) {
  return Dispatch(runtime_, ctx, kRecord, inspections_, &Inspections::Record, request, response);
}

grpc::ServerUnaryReactor* InspectionService::ListInspections(
    grpc::CallbackServerContext* ctx, const v1::ListInspectionsRequest* request,
    v1::ListInspectionsResponse* response) {
  return Dispatch(runtime_, ctx, kList, inspections_, &Inspections::List, request, response);
}

grpc::ServerUnaryReactor* InspectionService::RankCheckpoints(
    grpc::CallbackServerContext* ctx, const v1::RankCheckpointsRequest* request,
    v1::RankCheckpointsResponse* response) {
  return Dispatch(runtime_, ctx, kRank, inspections_, &Inspections::Rank, request, response);
}

}  // namespace fangxian::checkpoint
