#include "services/checkpoint/statistics_service.h"

namespace fangxian::checkpoint {
namespace {

// The command centre, leading cadres, inspectors and auditors read the figures.
const common::AuthRule kReadStatistics{
    {"subdistrict_admin", "community_admin", "shift_leader", "inspector", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* StatisticsService::GetDailyStatistics(
    grpc::CallbackServerContext* ctx, const v1::GetDailyStatisticsRequest* request,
    v1::DailyStatistics* response) {
  return common::Dispatch(runtime_, ctx, kReadStatistics, statistics_, &Statistics::Daily, request,
                          response);
}

grpc::ServerUnaryReactor* StatisticsService::GetLiveCounters(
    grpc::CallbackServerContext* ctx, const v1::GetLiveCountersRequest* request,
    v1::LiveCounters* response) {
  return common::Dispatch(runtime_, ctx, kReadStatistics, statistics_, &Statistics::Live, request,
                          response);
}

}  // namespace fangxian::checkpoint
