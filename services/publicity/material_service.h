// gRPC glue of MaterialService: an authorisation rule per method and the hand-off of each
// call to Materials on the worker pool.
#ifndef FANGXIAN_SERVICES_PUBLICITY_MATERIAL_SERVICE_H_
#define FANGXIAN_SERVICES_PUBLICITY_MATERIAL_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/publicity/v1/materials.grpc.pb.h"
#include "services/publicity/materials.h"

namespace fangxian::publicity {

class MaterialService final : public v1::MaterialService::CallbackService {
 public:
  MaterialService(common::RpcRuntime& runtime, Materials& materials)
      : runtime_(runtime), materials_(materials) {}

  grpc::ServerUnaryReactor* CreateMaterial(grpc::CallbackServerContext* ctx,
                                           const v1::CreateMaterialRequest* request,
                                           v1::Material* response) override;
  grpc::ServerUnaryReactor* UpdateMaterial(grpc::CallbackServerContext* ctx,
                                           const v1::UpdateMaterialRequest* request,
                                           v1::Material* response) override;
  grpc::ServerUnaryReactor* GetMaterial(grpc::CallbackServerContext* ctx,
                                        const v1::GetMaterialRequest* request,
                                        v1::Material* response) override;
  grpc::ServerUnaryReactor* ListMaterials(grpc::CallbackServerContext* ctx,
                                          const v1::ListMaterialsRequest* request,
                                          v1::ListMaterialsResponse* response) override;
  grpc::ServerUnaryReactor* RemoveMaterial(grpc::CallbackServerContext* ctx,
                                           const v1::RemoveMaterialRequest* request,
                                           v1::Material* response) override;
  grpc::ServerUnaryReactor* GetMaterialTotals(grpc::CallbackServerContext* ctx,
                                              const v1::GetMaterialTotalsRequest* request,
                                              v1::MaterialTotals* response) override;

 private:
  common::RpcRuntime& runtime_;
  Materials& materials_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_MATERIAL_SERVICE_H_
