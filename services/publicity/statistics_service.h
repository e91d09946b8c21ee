// gRPC glue of PublicityStatisticsService: one authorisation rule and the hand-off of each
// call to PublicityStatistics on the worker pool.
#ifndef FANGXIAN_SERVICES_PUBLICITY_STATISTICS_SERVICE_H_
#define FANGXIAN_SERVICES_PUBLICITY_STATISTICS_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/publicity/v1/statistics.grpc.pb.h"
#include "services/publicity/statistics.h"

namespace fangxian::publicity {

class PublicityStatisticsService final : public v1::PublicityStatisticsService::CallbackService {
 public:
  PublicityStatisticsService(common::RpcRuntime& runtime, PublicityStatistics& statistics)
      : runtime_(runtime), statistics_(statistics) {}

  grpc::ServerUnaryReactor* GetPublicityFigures(grpc::CallbackServerContext* ctx,
                                                const v1::GetPublicityFiguresRequest* request,
                                                v1::PublicityFiguresReport* response) override;

 private:
  common::RpcRuntime& runtime_;
  PublicityStatistics& statistics_;
};

}  // namespace fangxian::publicity

#endif  // FANGXIAN_SERVICES_PUBLICITY_STATISTICS_SERVICE_H_
