#include "services/identity/area_service.h"

namespace fangxian::identity {
namespace {

// Who may shape the tree: admins (community_admin only below its community, see
// RequireAreaAdmin).
const common::AuthRule kEditAreas{{"subdistrict_admin", "community_admin"}};
// Moving rewrites the paths of a whole subtree: the subdistrict's command centre only.
const common::AuthRule kMoveArea{{"subdistrict_admin"}};
// Who may read the tree: every staff role of DESIGN.md (not residents, not service
// accounts). Listed explicitly: an empty list would admit any authenticated caller.
const common::AuthRule kReadAreas{{"subdistrict_admin", "community_admin", "shift_leader",
                                   "temperature_monitor", "code_verifier", "order_keeper",
                                   "info_registrar", "inspector", "grid_worker", "volunteer",
                                   "publicity_editor", "publicity_reviewer", "auditor"}};

// Runs `method` of Areas on the worker pool and moves its result into `response`.
}  // namespace

grpc::ServerUnaryReactor* AreaService::CreateArea(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateAreaRequest* request,
                                                  v1::Area* response) {
  return common::Dispatch(runtime_, ctx, kEditAreas, areas_, &Areas::Create, request, response);
}

grpc::ServerUnaryReactor* AreaService::RenameArea(grpc::CallbackServerContext* ctx,
                                                  const v1::RenameAreaRequest* request,
                                                  v1::Area* response) {
  return common::Dispatch(runtime_, ctx, kEditAreas, areas_, &Areas::Rename, request, response);
}

grpc::ServerUnaryReactor* AreaService::MoveArea(grpc::CallbackServerContext* ctx,
                                                const v1::MoveAreaRequest* request,
                                                v1::Area* response) {
  return common::Dispatch(runtime_, ctx, kMoveArea, areas_, &Areas::Move, request, response);
}

grpc::ServerUnaryReactor* AreaService::ListChildAreas(grpc::CallbackServerContext* ctx,
                                                      const v1::ListChildAreasRequest* request,
                                                      v1::ListChildAreasResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadAreas, areas_, &Areas::ListChildren, request,
                          response);
}

grpc::ServerUnaryReactor* AreaService::GetArea(grpc::CallbackServerContext* ctx,
                                               const v1::GetAreaRequest* request,
                                               v1::Area* response) {
  return common::Dispatch(runtime_, ctx, kReadAreas, areas_, &Areas::Get, request, response);
}

}  // namespace fangxian::identity
