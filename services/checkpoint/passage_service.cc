#include "services/checkpoint/passage_service.h"

namespace fangxian::checkpoint {
namespace {

// Who may record: the staff of the four posts and the shift leader (each only while on
// duty at the checkpoint: Passages checks), and the admins over it.
const common::AuthRule kRecordPassage{{"shift_leader", "temperature_monitor", "code_verifier",
                                       "order_keeper", "info_registrar", "community_admin",
                                       "subdistrict_admin"}};
// Who may read the log: the checkpoint's staff, admins, inspectors (is the log complete?),
// auditors and other government systems.
const common::AuthRule kReadPassages{{"shift_leader", "temperature_monitor", "code_verifier",
                                      "order_keeper", "info_registrar", "community_admin",
                                      "subdistrict_admin", "inspector", "auditor", "service"}};

}  // namespace

grpc::ServerUnaryReactor* PassageService::RecordPassage(grpc::CallbackServerContext* ctx,
                                                        const v1::RecordPassageRequest* request,
                                                        v1::Passage* response) {
  // The answer is written into `response` only by the completion that finishes the call.
  auto answer = [response](common::CallCompletion done) -> Passages::Done {
    return [response, done = std::move(done)](absl::StatusOr<v1::Passage> result) {
      done.Complete([&] { return common::Reply(std::move(result), response); });
    };
  };
  return runtime_.UnaryDeferredWithFastPath(
      ctx, kRecordPassage,
      [this, request, answer](const common::CallContext& call, auto take) {
        return passages_.TryRecordFast(call, *request, [&] { return answer(take()); });
      },
      [this, request, answer](const common::CallContext& call, common::CallCompletion done) {
        passages_.Record(call, *request, answer(std::move(done)));
      });
}

grpc::ServerUnaryReactor* PassageService::GetPassage(grpc::CallbackServerContext* ctx,
                                                     const v1::GetPassageRequest* request,
                                                     v1::Passage* response) {
  return common::Dispatch(runtime_, ctx, kReadPassages, passages_, &Passages::Get, request,
                          response);
}

grpc::ServerUnaryReactor* PassageService::ListPassages(grpc::CallbackServerContext* ctx,
                                                       const v1::ListPassagesRequest* request,
                                                       v1::ListPassagesResponse* response) {
  return common::Dispatch(runtime_, ctx, kReadPassages, passages_, &Passages::List, request,
                          response);
}

}  // namespace fangxian::checkpoint
