#include "services/checkpoint/checkpoint_service.h"

namespace fangxian::checkpoint {
namespace {

// Who may set up checkpoints: the subdistrict and community administrations.
const common::AuthRule kCreateCheckpoint{{"subdistrict_admin", "community_admin"}};
// Who may read one: admins, the staff on its posts, inspectors, auditors and other
// government systems.
const common::AuthRule kGetCheckpoint{{"subdistrict_admin", "community_admin", "shift_leader",
                                       "temperature_monitor", "code_verifier", "order_keeper",
                                       "info_registrar", "inspector", "auditor", "service"}};

}  // namespace

grpc::ServerUnaryReactor* CheckpointService::CreateCheckpoint(
    grpc::CallbackServerContext* ctx, const v1::CreateCheckpointRequest* request,
    v1::Checkpoint* response) {
  return runtime_.Unary(ctx, kCreateCheckpoint, [this, request, response](const auto& call) {
    return common::Reply(checkpoints_.Create(call, request->checkpoint()), response);
  });
}

grpc::ServerUnaryReactor* CheckpointService::GetCheckpoint(grpc::CallbackServerContext* ctx,
                                                           const v1::GetCheckpointRequest* request,
                                                           v1::Checkpoint* response) {
  return runtime_.Unary(ctx, kGetCheckpoint, [this, request, response](const auto& call) {
    return common::Reply(checkpoints_.Get(call, request->checkpoint_id()), response);
  });
}

}  // namespace fangxian::checkpoint
