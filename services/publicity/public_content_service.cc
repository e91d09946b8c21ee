#include "services/publicity/public_content_service.h"

namespace fangxian::publicity {
namespace {

// Who may read view counts: admins, editors, reviewers and auditors (within their scope).
const common::AuthRule kReadViews{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* PublicContentService::ListLiveContent(
    grpc::CallbackServerContext* ctx, const v1::ListLiveContentRequest* request,
    v1::ListLiveContentResponse* response) {
  return runtime_.UnaryPublicWithFastPath(
      ctx,
      [this, request, response](const common::CallContext&) -> std::optional<absl::Status> {
        auto answer = content_.TryList(*request);
        if (!answer) return std::nullopt;
        return common::Reply(*std::move(answer), response);
      },
      [this, request, response](const common::CallContext& call) {
        return common::Reply(content_.List(*request, call.deadline), response);
      });
}

grpc::ServerUnaryReactor* PublicContentService::GetLiveContent(
    grpc::CallbackServerContext* ctx, const v1::GetLiveContentRequest* request,
    v1::LiveContent* response) {
  return runtime_.UnaryPublicWithFastPath(
      ctx,
      [this, request, response](const common::CallContext&) -> std::optional<absl::Status> {
        auto answer = content_.TryGet(*request);
        if (!answer) return std::nullopt;
        return common::Reply(*std::move(answer), response);
      },
      [this, request, response](const common::CallContext& call) {
        return common::Reply(content_.Get(*request, call.deadline), response);
      });
}

grpc::ServerUnaryReactor* ContentViewService::GetViewTotals(grpc::CallbackServerContext* ctx,
                                                            const v1::GetViewTotalsRequest* request,
                                                            v1::ViewTotals* response) {
  return common::Dispatch(runtime_, ctx, kReadViews, views_, &ContentViews::Totals, request,
                          response);
}

grpc::ServerUnaryReactor* ContentViewService::ListTopContent(
    grpc::CallbackServerContext* ctx, const v1::ListTopContentRequest* request,
    v1::ListTopContentResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadViews, views_, &ContentViews::Top, request, response);
}

}  // namespace fangxian::publicity
