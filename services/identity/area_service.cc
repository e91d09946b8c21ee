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
template <typename Request, typename Response, typename Method>
grpc::ServerUnaryReactor* Handle(common::RpcRuntime& runtime, Areas& areas,
                                 grpc::CallbackServerContext* ctx, const common::AuthRule& rule,
                                 Method method, const Request* request, Response* response) {
  Areas* target = &areas;
  return runtime.Unary(ctx, rule, [target, method, request, response](const auto& call) {
    auto r = (target->*method)(call, *request);
    if (r.ok()) *response = std::move(*r);
    return r.status();
  });
}

}  // namespace

grpc::ServerUnaryReactor* AreaService::CreateArea(grpc::CallbackServerContext* ctx,
                                                  const v1::CreateAreaRequest* request,
                                                  v1::Area* response) {
  return Handle(runtime_, areas_, ctx, kEditAreas, &Areas::Create, request, response);
}

grpc::ServerUnaryReactor* AreaService::RenameArea(grpc::CallbackServerContext* ctx,
                                                  const v1::RenameAreaRequest* request,
                                                  v1::Area* response) {
  return Handle(runtime_, areas_, ctx, kEditAreas, &Areas::Rename, request, response);
}

grpc::ServerUnaryReactor* AreaService::MoveArea(grpc::CallbackServerContext* ctx,
                                                const v1::MoveAreaRequest* request,
                                                v1::Area* response) {
  return Handle(runtime_, areas_, ctx, kMoveArea, &Areas::Move, request, response);
}

grpc::ServerUnaryReactor* AreaService::ListChildAreas(grpc::CallbackServerContext* ctx,
                                                      const v1::ListChildAreasRequest* request,
                                                      v1::ListChildAreasResponse* response) {
  return Handle(runtime_, areas_, ctx, kReadAreas, &Areas::ListChildren, request, response);
}

grpc::ServerUnaryReactor* AreaService::GetArea(grpc::CallbackServerContext* ctx,
                                               const v1::GetAreaRequest* request,
                                               v1::Area* response) {
  return Handle(runtime_, areas_, ctx, kReadAreas, &Areas::Get, request, response);
}

}  // namespace fangxian::identity
