#include "services/quarantine/check_in_service.h"

namespace fangxian::quarantine {
namespace {

using common::Dispatch;

// Check-ins carry health data: the resident themselves (their own, checked by CheckIns)
// and the staff who follow isolated people up, within scope. Never volunteers,
// checkpoint staff or other services.
const common::AuthRule kResidentOrFollowUpStaff{
    {"resident", "grid_worker", "community_admin", "subdistrict_admin"}};
// Lists of an area and follow-up flags: follow-up staff only.
const common::AuthRule kFollowUpStaff{{"grid_worker", "community_admin", "subdistrict_admin"}};

}  // namespace

grpc::ServerUnaryReactor* HealthCheckInService::RecordCheckIn(
    grpc::CallbackServerContext* ctx, const v1::RecordCheckInRequest* request,
    v1::CheckIn* response) {
  return Dispatch(runtime_, ctx, kResidentOrFollowUpStaff, check_ins_, &CheckIns::Record, request,
                  response);
}

grpc::ServerUnaryReactor* HealthCheckInService::ListCheckIns(grpc::CallbackServerContext* ctx,
                                                             const v1::ListCheckInsRequest* request,
                                                             v1::ListCheckInsResponse* response) {
  return Dispatch(runtime_, ctx, kResidentOrFollowUpStaff, check_ins_, &CheckIns::List, request,
                  response);
}

grpc::ServerUnaryReactor* HealthCheckInService::ListNonReporting(
    grpc::CallbackServerContext* ctx, const v1::ListNonReportingRequest* request,
    v1::ListNonReportingResponse* response) {
  return Dispatch(runtime_, ctx, kFollowUpStaff, check_ins_, &CheckIns::NonReporting, request,
                  response);
}

grpc::ServerUnaryReactor* HealthCheckInService::ListFollowUps(
    grpc::CallbackServerContext* ctx, const v1::ListFollowUpsRequest* request,
    v1::ListFollowUpsResponse* response) {
  return Dispatch(runtime_, ctx, kFollowUpStaff, check_ins_, &CheckIns::FollowUps, request,
                  response);
}

grpc::ServerUnaryReactor* HealthCheckInService::ClearFollowUp(
    grpc::CallbackServerContext* ctx, const v1::ClearFollowUpRequest* request,
    v1::FollowUpFlag* response) {
  return Dispatch(runtime_, ctx, kFollowUpStaff, check_ins_, &CheckIns::ClearFollowUp, request,
                  response);
}

}  // namespace fangxian::quarantine
