#include "services/publicity/public_content_service.h"

#include <grpcpp/support/byte_buffer.h>
#include <grpcpp/support/slice.h>

namespace fangxian::publicity {
namespace {

// Who may read view counts: admins, editors, reviewers and auditors (within their scope).
const common::AuthRule kReadViews{
    {"subdistrict_admin", "community_admin", "publicity_editor", "publicity_reviewer", "auditor"}};

// Puts a list's serialized bytes in `response` without copying them: the slice holds a
// share of the list, dropped when gRPC is done with the bytes.
absl::Status SendList(absl::StatusOr<PublicContent::SharedList> list, grpc::ByteBuffer* response) {
  if (!list.ok()) return list.status();
  auto* owner = new PublicContent::SharedList(*std::move(list));
  const std::string& wire = (*owner)->wire;
  // grpc::Slice takes a mutable pointer, but gRPC only reads a slice it is given.
  grpc::Slice slice(
      const_cast<char*>(wire.data()), wire.size(),
      [](void* p) { delete static_cast<PublicContent::SharedList*>(p); }, owner);
  *response = grpc::ByteBuffer(&slice, 1);
  return absl::OkStatus();
}

}  // namespace

grpc::ServerUnaryReactor* PublicContentService::ListLiveContent(grpc::CallbackServerContext* ctx,
                                                                const grpc::ByteBuffer* request,
                                                                grpc::ByteBuffer* response) {
  // Shared by the fast path and the worker's handler (which may run after this returns).
  auto parsed = std::make_shared<v1::ListLiveContentRequest>();
  grpc::ByteBuffer bytes(*request);  // shares the slices; parsing consumes the buffer
  const bool valid =
      grpc::SerializationTraits<v1::ListLiveContentRequest>::Deserialize(&bytes, parsed.get()).ok();
  return runtime_.UnaryPublicWithFastPath(
      ctx,
      [this, parsed, valid, response](const common::CallContext&) -> std::optional<absl::Status> {
        if (!valid) {
          return absl::InvalidArgumentError(
              "the request is not a ListLiveContentRequest (protobuf encoding expected)");
        }
        auto answer = content_.TryList(*parsed);
        if (!answer) return std::nullopt;
        return SendList(*std::move(answer), response);
      },
      [this, parsed, response](const common::CallContext& call) {
        return SendList(content_.List(*parsed, call.deadline), response);
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
