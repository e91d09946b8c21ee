// gRPC glue of the publicity service's editorial side: authorisation rules per method
// and the hand-off of each call to the business logic on the worker pool.
#ifndef FANGXIAN_SERVICES_PUBLICITY_PUBLICITY_SERVICE_H_
#define FANGXIAN_SERVICES_PUBLICITY_PUBLICITY_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/publicity/v1/publicity.grpc.pb.h"
#include "services/publicity/contents.h"
#include "services/publicity/series.h"

namespace fangxian::publicity {

class PublicityService final : public v1::PublicityService::CallbackService {
 public:
  PublicityService(common::RpcRuntime& runtime, Contents& contents, SeriesRegistry& series)
      : runtime_(runtime), contents_(contents), series_(series) {}

  grpc::ServerUnaryReactor* CreateContent(grpc::CallbackServerContext* ctx,
                                          const v1::CreateContentRequest* request,
                                          v1::Content* response) override;
  grpc::ServerUnaryReactor* GetContent(grpc::CallbackServerContext* ctx,
                                       const v1::GetContentRequest* request,
                                       v1::Content* response) override;
  grpc::ServerUnaryReactor* UpdateContent(grpc::CallbackServerContext* ctx,
                                          const v1::UpdateContentRequest* request,
                                          v1::Content* response) override;
  grpc::ServerUnaryReactor* ReviseContent(grpc::CallbackServerContext* ctx,
                                          const v1::ReviseContentRequest* request,
                                          v1::Content* response) override;
  grpc::ServerUnaryReactor* SubmitForReview(grpc::CallbackServerContext* ctx,
                                            const v1::SubmitForReviewRequest* request,
                                            v1::Content* response) override;
  grpc::ServerUnaryReactor* ApproveContent(grpc::CallbackServerContext* ctx,
                                           const v1::ApproveContentRequest* request,
                                           v1::Content* response) override;
  grpc::ServerUnaryReactor* RejectContent(grpc::CallbackServerContext* ctx,
                                          const v1::RejectContentRequest* request,
                                          v1::Content* response) override;
  grpc::ServerUnaryReactor* ArchiveContent(grpc::CallbackServerContext* ctx,
                                           const v1::ArchiveContentRequest* request,
                                           v1::Content* response) override;
  grpc::ServerUnaryReactor* ListContents(grpc::CallbackServerContext* ctx,
                                         const v1::ListContentsRequest* request,
                                         v1::ListContentsResponse* response) override;
  grpc::ServerUnaryReactor* ListContentHistory(grpc::CallbackServerContext* ctx,
                                               const v1::ListContentHistoryRequest* request,
                                               v1::ListContentHistoryResponse* response) override;
  grpc::ServerUnaryReactor* CreateSeries(grpc::CallbackServerContext* ctx,
                                         const v1::CreateSeriesRequest* request,
                                         v1::Series* response) override;
  grpc::ServerUnaryReactor* ListSeries(grpc::CallbackServerContext* ctx,
                                       const v1::ListSeriesRequest* request,
                                       v1::ListSeriesResponse* response) override;

 private:
  common::RpcRuntime& runtime_;
  Contents& contents_;
  SeriesRegistry& series_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_PUBLICITY_SERVICE_H_
