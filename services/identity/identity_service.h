// gRPC glue of the identity service: authorisation rules per method and the hand-off of
// each call to the business logic on the worker pool.
#ifndef FANGXIAN_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
#define FANGXIAN_SERVICES_IDENTITY_IDENTITY_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/identity/v1/identity.grpc.pb.h"
#include "services/identity/residents.h"

namespace fangxian::identity {

class IdentityService final : public v1::IdentityService::CallbackService {
 public:
  IdentityService(common::RpcRuntime& runtime, Residents& residents)
      : runtime_(runtime), residents_(residents) {}

  grpc::ServerUnaryReactor* CreateResident(grpc::CallbackServerContext* ctx,
                                           const v1::CreateResidentRequest* request,
                                           v1::Resident* response) override;
  grpc::ServerUnaryReactor* GetResident(grpc::CallbackServerContext* ctx,
                                        const v1::GetResidentRequest* request,
                                        v1::Resident* response) override;

 private:
  common::RpcRuntime& runtime_;
  Residents& residents_;
};

}  // namespace fangxian::identity

#endif  // FANGXIAN_SERVICES_IDENTITY_IDENTITY_SERVICE_H_
