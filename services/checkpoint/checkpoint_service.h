// gRPC glue of the checkpoint service: authorisation rules per method and the hand-off of
// each call to the business logic on the worker pool.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_SERVICE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/checkpoint/v1/checkpoint.grpc.pb.h"
#include "services/checkpoint/checkpoints.h"

namespace fangxian::checkpoint {

class CheckpointService final : public v1::CheckpointService::CallbackService {
 public:
  CheckpointService(common::RpcRuntime& runtime, Checkpoints& checkpoints)
      : runtime_(runtime), checkpoints_(checkpoints) {}

  grpc::ServerUnaryReactor* CreateCheckpoint(grpc::CallbackServerContext* ctx,
                                             const v1::CreateCheckpointRequest* request,
                                             v1::Checkpoint* response) override;
  grpc::ServerUnaryReactor* GetCheckpoint(grpc::CallbackServerContext* ctx,
                                          const v1::GetCheckpointRequest* request,
                                          v1::Checkpoint* response) override;
  grpc::ServerUnaryReactor* ListCheckpoints(grpc::CallbackServerContext* ctx,
                                            const v1::ListCheckpointsRequest* request,
                                            v1::ListCheckpointsResponse* response) override;
  grpc::ServerUnaryReactor* UpdateCheckpoint(grpc::CallbackServerContext* ctx,
                                             const v1::UpdateCheckpointRequest* request,
                                             v1::Checkpoint* response) override;
  grpc::ServerUnaryReactor* SetCheckpointOpen(grpc::CallbackServerContext* ctx,
                                              const v1::SetCheckpointOpenRequest* request,
                                              v1::Checkpoint* response) override;
  grpc::ServerUnaryReactor* CheckKitItem(grpc::CallbackServerContext* ctx,
                                         const v1::CheckKitItemRequest* request,
                                         v1::Checkpoint* response) override;

 private:
  common::RpcRuntime& runtime_;
  Checkpoints& checkpoints_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_CHECKPOINT_SERVICE_H_
