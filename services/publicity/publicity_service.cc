#include "services/publicity/publicity_service.h"

namespace fangxian::publicity {
namespace {

// Who drafts and edits content: admins and publicity editors.
const common::AuthRule kEditors{{"subdistrict_admin", "community_admin", "publicity_editor"}};
// Only reviewers decide on an item (publish or reject).
const common::AuthRule kReviewers{{"publicity_reviewer"}};
// Archiving takes an item off the public pages: editors, admins or reviewers.
const common::AuthRule kArchivers{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer"}};
// Who may read drafts and any other item: admins, editors, reviewers and auditors.
const common::AuthRule kReaders{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer", "auditor"}};
// Series are shared by every area: only the subdistrict and reviewers add them.
const common::AuthRule kSeriesWriters{{"subdistrict_admin", "publicity_reviewer"}};

}  // namespace

grpc::ServerUnaryReactor* PublicityService::CreateContent(grpc::CallbackServerContext* ctx,
                                                          const v1::CreateContentRequest* request,
                                                          v1::Content* response) {
  return runtime_.Unary(ctx, kEditors, [this, request, response](const auto& call) {
    return common::Reply(contents_.Create(call, request->content()), response);
  });
}

grpc::ServerUnaryReactor* PublicityService::GetContent(grpc::CallbackServerContext* ctx,
                                                       const v1::GetContentRequest* request,
                                                       v1::Content* response) {
  return runtime_.Unary(ctx, kReaders, [this, request, response](const auto& call) {
    return common::Reply(contents_.Get(call, request->content_id()), response);
  });
}

grpc::ServerUnaryReactor* PublicityService::UpdateContent(grpc::CallbackServerContext* ctx,
                                                          const v1::UpdateContentRequest* request,
                                                          v1::Content* response) {
  return common::Dispatch(runtime_, ctx, kEditors, contents_, &Contents::Update, request, response);
}

grpc::ServerUnaryReactor* PublicityService::ReviseContent(grpc::CallbackServerContext* ctx,
                                                          const v1::ReviseContentRequest* request,
                                                          v1::Content* response) {
  return common::Dispatch(runtime_, ctx, kEditors, contents_, &Contents::Revise, request, response);
}

grpc::ServerUnaryReactor* PublicityService::SubmitForReview(
    grpc::CallbackServerContext* ctx, const v1::SubmitForReviewRequest* request,
    v1::Content* response) {
  return common::Dispatch(runtime_, ctx, kEditors, contents_, &Contents::Submit, request, response);
}

grpc::ServerUnaryReactor* PublicityService::ApproveContent(grpc::CallbackServerContext* ctx,
                                                           const v1::ApproveContentRequest* request,
                                                           v1::Content* response) {
  return common::Dispatch(runtime_, ctx, kReviewers, contents_, &Contents::Approve, request,
                          response);
}

grpc::ServerUnaryReactor* PublicityService::RejectContent(grpc::CallbackServerContext* ctx,
                                                          const v1::RejectContentRequest* request,
                                                          v1::Content* response) {
  return common::Dispatch(runtime_, ctx, kReviewers, contents_, &Contents::Reject, request,
                          response);
}

grpc::ServerUnaryReactor* PublicityService::ArchiveContent(grpc::CallbackServerContext* ctx,
                                                           const v1::ArchiveContentRequest* request,
                                                           v1::Content* response) {
  return common::Dispatch(runtime_, ctx, kArchivers, contents_, &Contents::Archive, request,
                          response);
}

grpc::ServerUnaryReactor* PublicityService::ListContents(grpc::CallbackServerContext* ctx,
                                                         const v1::ListContentsRequest* request,
                                                         v1::ListContentsResponse* response) {
  return common::Dispatch(runtime_, ctx, kReaders, contents_, &Contents::List, request, response);
}

grpc::ServerUnaryReactor* PublicityService::ListContentHistory(
    grpc::CallbackServerContext* ctx, const v1::ListContentHistoryRequest* request,
    v1::ListContentHistoryResponse* response) {
  return common::Dispatch(runtime_, ctx, kReaders, contents_, &Contents::History, request,
                          response);
}

grpc::ServerUnaryReactor* PublicityService::CreateSeries(grpc::CallbackServerContext* ctx,
                                                         const v1::CreateSeriesRequest* request,
                                                         v1::Series* response) {
  return common::Dispatch(runtime_, ctx, kSeriesWriters, series_, &SeriesRegistry::Create, request,
                          response);
}

grpc::ServerUnaryReactor* PublicityService::ListSeries(grpc::CallbackServerContext* ctx,
                                                       const v1::ListSeriesRequest* request,
                                                       v1::ListSeriesResponse* response) {
  // Public: front ends list the series without a staff account.
  return runtime_.UnaryPublic(ctx, [this, request, response](const common::CallContext& call) {
    return common::Reply(series_.List(call, *request), response);
  });
}

}  // namespace fangxian::publicity
