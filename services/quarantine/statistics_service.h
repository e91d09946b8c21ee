// gRPC glue of QuarantineStatisticsService: one authorisation rule and the hand-off of each
// call to QuarantineStatistics on the worker pool.
#ifndef FANGXIAN_SERVICES_QUARANTINE_STATISTICS_SERVICE_H_
#define FANGXIAN_SERVICES_QUARANTINE_STATISTICS_SERVICE_H_

#include "common/rpc.h"
#include "fangxian/quarantine/v1/statistics.grpc.pb.h"
#include "services/quarantine/statistics.h"

namespace fangxian::quarantine {

class QuarantineStatisticsService final : public v1::QuarantineStatisticsService::CallbackService {
 public:
  QuarantineStatisticsService(common::RpcRuntime& runtime, QuarantineStatistics& statistics)
      : runtime_(runtime), statistics_(statistics) {}

  grpc::ServerUnaryReactor* GetDailyFigures(grpc::CallbackServerContext* ctx,
                                            const v1::GetDailyFiguresRequest* request,
                                            v1::DailyFigures* response) override;
  grpc::ServerUnaryReactor* GetSummary(grpc::CallbackServerContext* ctx,
                                       const v1::GetSummaryRequest* request,
                                       v1::Summary* response) override;

 private:
  common::RpcRuntime& runtime_;
  QuarantineStatistics& statistics_;
};

}  // namespace fangxian::quarantine

#endif  // FANGXIAN_SERVICES_QUARANTINE_STATISTICS_SERVICE_H_
