// gRPC glue of StatisticsService: roles per method, the rest in Statistics.
#ifndef FANGXIAN_SERVICES_CHECKPOINT_STATISTICS_SERVICE_H_
#define FANGXIAN_SERVICES_CHECKPOINT_STATISTICS_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/checkpoint/v1/statistics.grpc.pb.h"
#include "services/checkpoint/statistics.h"

namespace fangxian::checkpoint {

class StatisticsService final : public v1::StatisticsService::CallbackService {
 public:
  StatisticsService(common::RpcRuntime& runtime, Statistics& statistics)
      : runtime_(runtime), statistics_(statistics) {}

  grpc::ServerUnaryReactor* GetDailyStatistics(grpc::CallbackServerContext* ctx,
                                               const v1::GetDailyStatisticsRequest* request,
                                               v1::DailyStatistics* response) override;
  grpc::ServerUnaryReactor* GetLiveCounters(grpc::CallbackServerContext* ctx,
                                            const v1::GetLiveCountersRequest* request,
                                            v1::LiveCounters* response) override;

 private:
  common::RpcRuntime& runtime_;
  Statistics& statistics_;
};

}  // namespace fangxian::checkpoint

#endif  // FANGXIAN_SERVICES_CHECKPOINT_STATISTICS_SERVICE_H_
