#include "services/publicity/material_service.h"

namespace fangxian::publicity {
namespace {

// Who keeps the inventory: admins and publicity editors, within their scope.
const common::AuthRule kWriteMaterials{
    {"subdistrict_admin", "community_admin", "publicity_editor"}};
// Who reads it: the writers, reviewers and auditors, within their scope.
const common::AuthRule kReadMaterials{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* MaterialService::CreateMaterial(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateMaterialRequest* request,
                                                          v1::Material* response) {
  return common::Dispatch(runtime_, ctx, kWriteMaterials, materials_, &Materials::Create, request,
                          response);
}

grpc::ServerUnaryReactor* MaterialService::UpdateMaterial(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateMaterialRequest* request,
                                                          v1::Material* response) {
  return common::Dispatch(runtime_, ctx, kWriteMaterials, materials_, &Materials::Update, request,
                          response);
}

grpc::ServerUnaryReactor* MaterialService::GetMaterial(grpc::CallbackServerContext* ctx,
                                                       const v1::GetMaterialRequest* request,
                                                       v1::Material* response) {
  return common::Dispatch(runtime_, ctx, kReadMaterials, materials_, &Materials::Get, request,
                          response);
}

grpc::ServerUnaryReactor* MaterialService::ListMaterials(grpc::CallbackServerContext* ctx,
                                                         const v1::ListMaterialsRequest* request,
                                                         v1::ListMaterialsResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadMaterials, materials_, &Materials::List, request,
                          response);
}

grpc::ServerUnaryReactor* MaterialService::RemoveMaterial(grpc::CallbackServerContext* ctx,
                                                          const v1::RemoveMaterialRequest* request,
                                                          v1::Material* response) {
  return common::Dispatch(runtime_, ctx, kWriteMaterials, materials_, &Materials::Remove, request,
                          response);
}

grpc::ServerUnaryReactor* MaterialService::GetMaterialTotals(
    grpc::CallbackServerContext* ctx, const v1::GetMaterialTotalsRequest* request,
    v1::MaterialTotals* response) {
  return common::Dispatch(runtime_, ctx, kReadMaterials, materials_, &Materials::Totals, request,
                          response);
}

}  // namespace fangxian::publicity
