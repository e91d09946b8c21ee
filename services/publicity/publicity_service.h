// gRPC glue of the publicity service: authorisation rules per method and the hand-off of
// each call to the business logic on the worker pool.
#ifndef FANGXIAN_SERVICES_PUBLICITY_PUBLICITY_SERVICE_H_
#define FANGXIAN_SERVICES_PUBLICITY_PUBLICITY_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/publicity/v1/publicity.grpc.pb.h"
#include "services/publicity/contents.h"

namespace fangxian::publicity {

class PublicityService final : public v1::PublicityService::CallbackService {
 public:
  PublicityService(common::RpcRuntime& runtime, Contents& contents)
      : runtime_(runtime), contents_(contents) {}

  grpc::ServerUnaryReactor* CreateContent(grpc::CallbackServerContext* ctx,
                                          const v1::CreateContentRequest* request,
                                          v1::Content* response) override;
  grpc::ServerUnaryReactor* GetContent(grpc::CallbackServerContext* ctx,
                                       const v1::GetContentRequest* request,
                                       v1::Content* response) override;

 private:
  common::RpcRuntime& runtime_;
  Contents& contents_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_PUBLICITY_SERVICE_H_
