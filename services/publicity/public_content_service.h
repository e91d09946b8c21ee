// gRPC glue of PublicContentService (no token needed; cache hits answered on the gRPC
// thread) and ContentViewService (staff: role and area scope).
#ifndef FANGXIAN_SERVICES_PUBLICITY_PUBLIC_CONTENT_SERVICE_H_
#define FANGXIAN_SERVICES_PUBLICITY_PUBLIC_CONTENT_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/publicity/v1/content_views.grpc.pb.h"
#include "fangxian/publicity/v1/public_content.grpc.pb.h"
#include "services/publicity/content_views.h"
#include "services/publicity/public_content.h"

namespace fangxian::publicity {

// ListLiveContent is served raw (bytes in, bytes out): its answer is the same for every
// caller of an area until it lapses, so it is sent as serialized once, shared, not copied
// and encoded again per call. The wire format is the proto's, so callers see no difference.
class PublicContentService final
    : public v1::PublicContentService::WithRawCallbackMethod_ListLiveContent<
          v1::PublicContentService::CallbackService> {
 public:
  PublicContentService(common::RpcRuntime& runtime, PublicContent& content)
      : runtime_(runtime), content_(content) {}

  grpc::ServerUnaryReactor* ListLiveContent(grpc::CallbackServerContext* ctx,
                                            const grpc::ByteBuffer* request,
                                            grpc::ByteBuffer* response) override;
  grpc::ServerUnaryReactor* GetLiveContent(grpc::CallbackServerContext* ctx,
                                           const v1::GetLiveContentRequest* request,
                                           v1::LiveContent* response) override;

 private:
  common::RpcRuntime& runtime_;
  PublicContent& content_;
};

class ContentViewService final : public v1::ContentViewService::CallbackService {
 public:
  ContentViewService(common::RpcRuntime& runtime, ContentViews& views)
      : runtime_(runtime), views_(views) {}

  grpc::ServerUnaryReactor* GetViewTotals(grpc::CallbackServerContext* ctx,
                                          const v1::GetViewTotalsRequest* request,
                                          v1::ViewTotals* response) override;
  grpc::ServerUnaryReactor* ListTopContent(grpc::CallbackServerContext* ctx,
                                           const v1::ListTopContentRequest* request,
                                           v1::ListTopContentResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  ContentViews& views_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_PUBLIC_CONTENT_SERVICE_H_
