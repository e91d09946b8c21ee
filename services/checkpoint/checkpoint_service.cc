#include "services/checkpoint/checkpoint_service.h"

namespace fangxian::checkpoint {
namespace {

// Who may set up and change checkpoints (name, location, work plan, open or closed): the
// subdistrict and community administrations.
const common::AuthRule kCreateCheckpoint{{"subdistrict_admin", "community_admin"}};
// Who may check the nine-ones kit: the checkpoint's shift leader, admins and inspectors.
const common::AuthRule kCheckKit{
    {"subdistrict_admin", "community_admin", "shift_leader", "inspector"}};
// Who may read one: admins, the staff on its posts, inspectors, auditors, other
// government systems, and publicity staff (who schedule its loudspeaker).
const common::AuthRule kGetCheckpoint{{"subdistrict_admin", "community_admin", "shift_leader",
                                       "temperature_monitor", "code_verifier", "order_keeper",
                                       "info_registrar", "inspector", "auditor", "service",
                                       "publicity_editor", "publicity_reviewer"}};

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

grpc::ServerUnaryReactor* CheckpointService::ListCheckpoints(
    grpc::CallbackServerContext* ctx, const v1::ListCheckpointsRequest* request,
    v1::ListCheckpointsResponse* response) {
  return common::Dispatch(runtime_, ctx, kGetCheckpoint, checkpoints_, &Checkpoints::List, request,
                          response);
}

grpc::ServerUnaryReactor* CheckpointService::UpdateCheckpoint(
    grpc::CallbackServerContext* ctx, const v1::UpdateCheckpointRequest* request,
    v1::Checkpoint* response) {
  return common::Dispatch(runtime_, ctx, kCreateCheckpoint, checkpoints_, &Checkpoints::Update,
                          request, response);
}

grpc::ServerUnaryReactor* CheckpointService::SetCheckpointOpen(
    grpc::CallbackServerContext* ctx, const v1::SetCheckpointOpenRequest* request,
    v1::Checkpoint* response) {
  return common::Dispatch(runtime_, ctx, kCreateCheckpoint, checkpoints_, &Checkpoints::SetOpen,
                          request, response);
}

grpc::ServerUnaryReactor* CheckpointService::CheckKitItem(grpc::CallbackServerContext* ctx,
                                                          const v1::CheckKitItemRequest* request,
                                                          v1::Checkpoint* response) {
  return common::Dispatch(runtime_, ctx, kCheckKit, checkpoints_, &Checkpoints::CheckKitItem,
                          request, response);
}

}  // namespace fangxian::checkpoint
