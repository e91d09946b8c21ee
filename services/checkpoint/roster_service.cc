#include "services/checkpoint/roster_service.h"

namespace fangxian::checkpoint {
namespace {

using common::Dispatch;

// Who names the leading cadre of a day and puts people on posts: the subdistrict and
// community administrations. Both look the account up in identity with the caller's
// token, and identity shows staff accounts only to the admins of their areas.
const common::AuthRule kManageRoster{{"subdistrict_admin", "community_admin"}};
// Who clocks in and out: the holders of the four posts and shift leaders.
const common::AuthRule kClock{
    {"shift_leader", "temperature_monitor", "code_verifier", "order_keeper", "info_registrar"}};
// Who reads rosters and coverage: checkpoint staff, inspectors, admins and auditors.
const common::AuthRule kReadRoster{{"subdistrict_admin", "community_admin", "shift_leader",
                                    "temperature_monitor", "code_verifier", "order_keeper",
                                    "info_registrar", "inspector", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* RosterService::SetLeadingCadre(grpc::CallbackServerContext* ctx,
                                                         const v1::SetLeadingCadreRequest* request,
                                                         v1::LeadingCadre* response) {
  return Dispatch(runtime_, ctx, kManageRoster, roster_, &Roster::SetLeadingCadre, request,
                  response);
}

grpc::ServerUnaryReactor* RosterService::AssignPost(grpc::CallbackServerContext* ctx,
                                                    const v1::AssignPostRequest* request,
                                                    v1::PostAssignment* response) {
  return Dispatch(runtime_, ctx, kManageRoster, roster_, &Roster::AssignPost, request, response);
}

grpc::ServerUnaryReactor* RosterService::UnassignPost(grpc::CallbackServerContext* ctx,
                                                      const v1::UnassignPostRequest* request,
                                                      v1::UnassignPostResponse* response) {
  return Dispatch(runtime_, ctx, kManageRoster, roster_, &Roster::UnassignPost, request, response);
}

grpc::ServerUnaryReactor* RosterService::GetRoster(grpc::CallbackServerContext* ctx,
                                                   const v1::GetRosterRequest* request,
                                                   v1::Roster* response) {
  return Dispatch(runtime_, ctx, kReadRoster, roster_, &Roster::GetRoster, request, response);
}

grpc::ServerUnaryReactor* RosterService::ClockIn(grpc::CallbackServerContext* ctx,
                                                 const v1::ClockInRequest* request,
                                                 v1::PostAssignment* response) {
  return Dispatch(runtime_, ctx, kClock, roster_, &Roster::ClockIn, request, response);
}

grpc::ServerUnaryReactor* RosterService::ClockOut(grpc::CallbackServerContext* ctx,
                                                  const v1::ClockOutRequest* request,
                                                  v1::PostAssignment* response) {
  return Dispatch(runtime_, ctx, kClock, roster_, &Roster::ClockOut, request, response);
}

grpc::ServerUnaryReactor* RosterService::GetCoverage(grpc::CallbackServerContext* ctx,
                                                     const v1::GetCoverageRequest* request,
                                                     v1::Coverage* response) {
  return Dispatch(runtime_, ctx, kReadRoster, roster_, &Roster::GetCoverage, request, response);
}

}  // namespace fangxian::checkpoint
