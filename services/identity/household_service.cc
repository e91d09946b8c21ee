#include "services/identity/household_service.h"

namespace fangxian::identity {
namespace {

// Who registers households and their vehicles: admins and the staff who meet residents at
// home or at the door, within the household's area.
const common::AuthRule kEditHouseholds{
    {"subdistrict_admin", "community_admin", "info_registrar", "grid_worker"}};
// Who may read a household: the writers plus checkpoint leads, inspectors, auditors and
// other government systems.
const common::AuthRule kReadHouseholds{{"subdistrict_admin", "community_admin", "info_registrar",
                                        "grid_worker", "shift_leader", "inspector", "auditor",
                                        "service"}};
// Checkpoint staff deciding on a vehicle at the gate.
const common::AuthRule kLookupVehicle{{"shift_leader", "temperature_monitor", "code_verifier",
                                       "order_keeper", "info_registrar", "community_admin",
                                       "subdistrict_admin", "service"}};

}  // namespace

grpc::ServerUnaryReactor* HouseholdService::CreateHousehold(
    grpc::CallbackServerContext* ctx, const v1::CreateHouseholdRequest* request,
    v1::Household* response) {
  return common::Dispatch(runtime_, ctx, kEditHouseholds, households_, &Households::Create, request,
                          response);
}

grpc::ServerUnaryReactor* HouseholdService::GetHousehold(grpc::CallbackServerContext* ctx,
                                                         const v1::GetHouseholdRequest* request,
                                                         v1::Household* response) {
  return common::Dispatch(runtime_, ctx, kReadHouseholds, households_, &Households::Get, request,
                          response);
}

grpc::ServerUnaryReactor* HouseholdService::ListHouseholds(grpc::CallbackServerContext* ctx,
                                                           const v1::ListHouseholdsRequest* request,
                                                           v1::ListHouseholdsResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadHouseholds, households_, &Households::List, request,
                          response);
}

grpc::ServerUnaryReactor* HouseholdService::AddHouseholdMember(
    grpc::CallbackServerContext* ctx, const v1::AddHouseholdMemberRequest* request,
    v1::Household* response) {
  return common::Dispatch(runtime_, ctx, kEditHouseholds, households_, &Households::AddMember,
                          request, response);
}

grpc::ServerUnaryReactor* HouseholdService::RemoveHouseholdMember(
    grpc::CallbackServerContext* ctx, const v1::RemoveHouseholdMemberRequest* request,
    v1::Household* response) {
  return common::Dispatch(runtime_, ctx, kEditHouseholds, households_, &Households::RemoveMember,
                          request, response);
}

grpc::ServerUnaryReactor* HouseholdService::SetHouseholdHead(
    grpc::CallbackServerContext* ctx, const v1::SetHouseholdHeadRequest* request,
    v1::Household* response) {
  return common::Dispatch(runtime_, ctx, kEditHouseholds, households_, &Households::SetHead,
                          request, response);
}

grpc::ServerUnaryReactor* HouseholdService::MoveHouseholdMember(
    grpc::CallbackServerContext* ctx, const v1::MoveHouseholdMemberRequest* request,
    v1::Household* response) {
  return common::Dispatch(runtime_, ctx, kEditHouseholds, households_, &Households::MoveMember,
                          request, response);
}

grpc::ServerUnaryReactor* HouseholdService::RegisterVehicle(
    grpc::CallbackServerContext* ctx, const v1::RegisterVehicleRequest* request,
    v1::Vehicle* response) {
  return common::Dispatch(runtime_, ctx, kEditHouseholds, households_, &Households::RegisterVehicle,
                          request, response);
}

grpc::ServerUnaryReactor* HouseholdService::RemoveVehicle(grpc::CallbackServerContext* ctx,
                                                          const v1::RemoveVehicleRequest* request,
                                                          v1::Household* response) {
  return common::Dispatch(runtime_, ctx, kEditHouseholds, households_, &Households::RemoveVehicle,
                          request, response);
}

grpc::ServerUnaryReactor* HouseholdService::LookupVehicleByPlate(
    grpc::CallbackServerContext* ctx, const v1::LookupVehicleByPlateRequest* request,
    v1::LookupVehicleByPlateResponse* response) {
  return common::Dispatch(runtime_, ctx, kLookupVehicle, households_, &Households::LookupVehicle,
                          request, response);
}

}  // namespace fangxian::identity
