// gRPC glue of households and vehicles: authorisation rules per method and the hand-off of
// each call to Households on the worker pool. Runs inside identity_server next to
// IdentityService and AreaService.
#ifndef FANGXIAN_SERVICES_IDENTITY_HOUSEHOLD_SERVICE_H_
#define FANGXIAN_SERVICES_IDENTITY_HOUSEHOLD_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/identity/v1/households.grpc.pb.h"
#include "services/identity/households.h"

namespace fangxian::identity {

class HouseholdService final : public v1::HouseholdService::CallbackService {
 public:
  HouseholdService(common::RpcRuntime& runtime, Households& households)
      : runtime_(runtime), households_(households) {}

  grpc::ServerUnaryReactor* CreateHousehold(grpc::CallbackServerContext* ctx,
                                            const v1::CreateHouseholdRequest* request,
                                            v1::Household* response) override;
  grpc::ServerUnaryReactor* GetHousehold(grpc::CallbackServerContext* ctx,
                                         const v1::GetHouseholdRequest* request,
                                         v1::Household* response) override;
  grpc::ServerUnaryReactor* ListHouseholds(grpc::CallbackServerContext* ctx,
                                           const v1::ListHouseholdsRequest* request,
                                           v1::ListHouseholdsResponse* response) override;
  grpc::ServerUnaryReactor* AddHouseholdMember(grpc::CallbackServerContext* ctx,
                                               const v1::AddHouseholdMemberRequest* request,
                                               v1::Household* response) override;
  grpc::ServerUnaryReactor* RemoveHouseholdMember(grpc::CallbackServerContext* ctx,
                                                  const v1::RemoveHouseholdMemberRequest* request,
                                                  v1::Household* response) override;
  grpc::ServerUnaryReactor* SetHouseholdHead(grpc::CallbackServerContext* ctx,
                                             const v1::SetHouseholdHeadRequest* request,
                                             v1::Household* response) override;
  grpc::ServerUnaryReactor* MoveHouseholdMember(grpc::CallbackServerContext* ctx,
                                                const v1::MoveHouseholdMemberRequest* request,
                                                v1::Household* response) override;
  grpc::ServerUnaryReactor* RegisterVehicle(grpc::CallbackServerContext* ctx,
                                            const v1::RegisterVehicleRequest* request,
                                            v1::Vehicle* response) override;
  grpc::ServerUnaryReactor* RemoveVehicle(grpc::CallbackServerContext* ctx,
                                          const v1::RemoveVehicleRequest* request,
                                          v1::Household* response) override;
  grpc::ServerUnaryReactor* LookupVehicleByPlate(
      grpc::CallbackServerContext* ctx, const v1::LookupVehicleByPlateRequest* request,
      v1::LookupVehicleByPlateResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  Households& households_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_HOUSEHOLD_SERVICE_H_
