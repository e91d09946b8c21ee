// gRPC glue of the area tree: authorisation rules per method and the hand-off of each call
// to Areas on the worker pool. Runs inside identity_server next to IdentityService.
#ifndef FANGXIAN_SERVICES_IDENTITY_AREA_SERVICE_H_
#define FANGXIAN_SERVICES_IDENTITY_AREA_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/identity/v1/areas.grpc.pb.h"
#include "services/identity/areas.h"

namespace fangxian::identity {

class AreaService final : public v1::AreaService::CallbackService {
 public:
  AreaService(common::RpcRuntime& runtime, Areas& areas) : runtime_(runtime), areas_(areas) {}

  grpc::ServerUnaryReactor* CreateArea(grpc::CallbackServerContext* ctx,
                                       const v1::CreateAreaRequest* request,
                                       v1::Area* response) override;
  grpc::ServerUnaryReactor* RenameArea(grpc::CallbackServerContext* ctx,
                                       const v1::RenameAreaRequest* request,
                                       v1::Area* response) override;
  grpc::ServerUnaryReactor* MoveArea(grpc::CallbackServerContext* ctx,
                                     const v1::MoveAreaRequest* request,
                                     v1::Area* response) override;
  grpc::ServerUnaryReactor* ListChildAreas(grpc::CallbackServerContext* ctx,
                                           const v1::ListChildAreasRequest* request,
                                           v1::ListChildAreasResponse* response) override;
  grpc::ServerUnaryReactor* GetArea(grpc::CallbackServerContext* ctx,
                                    const v1::GetAreaRequest* request, v1::Area* response) override;

 private:
  common::RpcRuntime& runtime_;
  Areas& areas_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_AREA_SERVICE_H_
