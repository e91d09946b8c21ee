#include "services/quarantine/statistics_service.h"

namespace fangxian::quarantine {
namespace {

// The command centre, community admins, grid workers and auditors read the figures of
// their scope; checkpoint staff, volunteers and residents have no use for them.
const common::AuthRule kReadStatistics{
    {"subdistrict_admin", "community_admin", "grid_worker", "auditor"}};

}  // namespace

grpc::ServerUnaryReactor* QuarantineStatisticsService::GetDailyFigures(
    grpc::CallbackServerContext* ctx, const v1::GetDailyFiguresRequest* request,
    v1::DailyFigures* response) {
  return common::Dispatch(runtime_, ctx, kReadStatistics, statistics_, &QuarantineStatistics::Daily,
                          request, response);
}

grpc::ServerUnaryReactor* QuarantineStatisticsService::GetSummary(
    grpc::CallbackServerContext* ctx, const v1::GetSummaryRequest* request, v1::Summary* response) {
  return common::Dispatch(runtime_, ctx, kReadStatistics, statistics_,
                          &QuarantineStatistics::Summary, request, response);
}

}  // namespace fangxian::quarantine
