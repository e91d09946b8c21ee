#include "services/publicity/publicity_service.h"

namespace fangxian::publicity {
namespace {

// Who may draft content: admins and publicity editors.
const common::AuthRule kCreateContent{{"subdistrict_admin", "community_admin", "publicity_editor"}};
// Who may read a draft or any other item: admins, editors, reviewers and auditors.
const common::AuthRule kGetContent{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* PublicityService::CreateContent(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateContentRequest* request,
                                                          v1::Content* response) {
  return runtime_.Unary(ctx, kCreateContent, [this, request, response](const auto& call) {
    return common::Reply(contents_.Create(call, request->content()), response);
  });
}

grpc::ServerUnaryReactor* PublicityService::GetContent(grpc::CallbackServerContext* ctx,
                                                       const v1::GetContentRequest* request,
                                                       v1::Content* response) {
  return runtime_.Unary(ctx, kGetContent, [this, request, response](const auto& call) {
    return common::Reply(contents_.Get(call, request->content_id()), response);
  });
}

}  // namespace fangxian::publicity
